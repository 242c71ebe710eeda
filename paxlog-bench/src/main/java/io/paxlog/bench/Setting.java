package io.paxlog.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One measured point: a system, a workload, a cluster size, how many operations the closed loop keeps in
 * flight, the payload (a put's value) size, and the warm-up and measured periods.
 */
public record Setting(String system, Workload workload, int servers, int inFlight, int payloadBytes,
        Duration warmup, Duration measure) {

    public Setting {
        List<String> problems = new ArrayList<>();
        if (system == null || system.isBlank()) {
            problems.add("no system");
        }
        if (workload == null) {
            problems.add("no workload");
        }
        if (servers != 3 && servers != 5) {
            problems.add("servers: 3 or 5, not " + servers);
        }
        if (inFlight < 1 || inFlight > 4096) {
            problems.add("in flight: 1-4096, not " + inFlight);
        }
        if (payloadBytes < 1 || payloadBytes > (1 << 20)) {
            problems.add("payload: 1 B-1 MiB, not " + payloadBytes);
        }
        if (warmup == null || warmup.isNegative() || measure == null || measure.isNegative() || measure.isZero()) {
            problems.add("warm-up must be >= 0 and the measured period > 0");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The same point for another system: what a ratio compares. */
    public Setting forSystem(String other) {
        return new Setting(other, workload, servers, inFlight, payloadBytes, warmup, measure);
    }

    /** The point without the system, e.g. {@code WRITE 3 servers, 128 in flight, 100 B}. */
    public String point() {
        return workload + " " + servers + "x " + inFlight + " in flight " + Sizes.format(payloadBytes);
    }
}
