package io.paxlog.bench;

/** Which run a result is: the setting's point, the system, and its repetition (from 0). */
public record RunKey(String system, Workload workload, int servers, int inFlight, int payloadBytes, int repetition) {

    public static RunKey of(Setting setting, int repetition) {
        return new RunKey(setting.system(), setting.workload(), setting.servers(), setting.inFlight(),
                setting.payloadBytes(), repetition);
    }

    /** The point without the system and the repetition: what results are grouped and compared by. */
    public String point() {
        return workload + " " + servers + "x " + inFlight + " " + Sizes.format(payloadBytes);
    }
}
