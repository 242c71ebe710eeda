package io.paxlog.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code paxlog bench} measures: every combination of workload, payload and in-flight count, for each
 * system that supports the workload, {@code repetitions} times. The runs of one point are adjacent and
 * the systems' order rotates with each repetition (paxlog, peer, peer, paxlog, ...), so slow drift of the
 * machine (other load, thermal, page cache) falls on every system alike.
 */
public record Plan(List<String> systems, List<Workload> workloads, int servers, List<Integer> inFlights,
        List<Integer> payloads, Duration warmup, Duration measure, int repetitions) {

    public Plan {
        systems = List.copyOf(systems);
        workloads = List.copyOf(workloads);
        inFlights = List.copyOf(inFlights);
        payloads = List.copyOf(payloads);
        if (systems.isEmpty() || workloads.isEmpty() || inFlights.isEmpty() || payloads.isEmpty() || repetitions < 1) {
            throw new IllegalArgumentException("a plan needs a system, a workload, an in-flight count, a payload and a repetition");
        }
    }

    /** A run to do: the setting and its repetition. */
    public record Step(Setting setting, int repetition) {}

    /** The runs in order; {@code supported} says which settings can run (the others are left out). */
    public List<Step> steps(java.util.function.Predicate<Setting> supported) {
        List<Step> steps = new ArrayList<>();
        for (Workload workload : workloads) {
            for (int payload : payloads) {
                for (int inFlight : inFlights) {
                    Setting point = new Setting(systems.get(0), workload, servers, inFlight, payload, warmup, measure);
                    List<Setting> these = systems.stream().map(point::forSystem).filter(supported).toList();
                    for (int rep = 0; rep < repetitions; rep++) {
                        for (int i = 0; i < these.size(); i++) {
                            steps.add(new Step(these.get((i + rep) % these.size()), rep));
                        }
                    }
                }
            }
        }
        return steps;
    }
}
