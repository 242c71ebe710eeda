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

    /** The runs in order; {@code supported} says which system runs which workload. */
    public List<Step> steps(java.util.function.BiPredicate<String, Workload> supported) {
        List<Step> steps = new ArrayList<>();
        for (Workload workload : workloads) {
            for (int payload : payloads) {
                for (int inFlight : inFlights) {
                    List<String> these = systems.stream().filter(s -> supported.test(s, workload)).toList();
                    for (int rep = 0; rep < repetitions; rep++) {
                        for (int i = 0; i < these.size(); i++) {
                            String system = these.get((i + rep) % these.size());
                            steps.add(new Step(new Setting(system, workload, servers, inFlight, payload, warmup, measure), rep));
                        }
                    }
                }
            }
        }
        return steps;
    }
}
