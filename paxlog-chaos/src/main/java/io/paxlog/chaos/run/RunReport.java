package io.paxlog.chaos.run;

import io.paxlog.chaos.check.CheckResult;
import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a run did and found. It passed when every key's history was shown linearizable, nothing
 * acknowledged was lost or applied twice, and the faults asked for were done.
 *
 * @param history every operation recorded, the final reads included
 * @param checkNanos how long the linearizability check took
 * @param timeline the HTML timeline of the keys that failed, if any did
 */
public record RunReport(Path directory, ChaosRun.Workload workload, List<Operation<?, ?>> history,
        Map<Outcome, Long> outcomes, List<Fault> faults, List<CheckResult> results, int lostAcknowledgedWrites,
        int duplicates, long longestWriteGapNanos, int acknowledgedWrites, long checkNanos, Optional<Path> timeline) {

    public RunReport {
        history = List.copyOf(history);
        outcomes = Map.copyOf(outcomes);
        faults = List.copyOf(faults);
        results = List.copyOf(results);
    }

    /** A figure the workload does not measure (lost writes and duplicates of the lock workload). */
    public static final int NOT_MEASURED = -1;

    public int operations() {
        return history.size();
    }

    /** Keys whose history was not shown linearizable: violations and searches over budget alike. */
    public long violations() {
        return results.stream().filter(r -> !r.passed()).count();
    }

    public boolean passed() {
        return violations() == 0 && lostAcknowledgedWrites <= 0 && duplicates <= 0;
    }

    private String figure(long value) {
        return value == NOT_MEASURED ? "not measured (" + workload.name().toLowerCase() + " workload)"
                : Long.toString(value);
    }

    /** The lines {@code paxlog chaos} prints. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("operations: %d (ok %d, failed %d, unknown %d); acknowledged writes: %s%n", operations(),
                outcomes.getOrDefault(Outcome.OK, 0L), outcomes.getOrDefault(Outcome.FAILED, 0L),
                outcomes.getOrDefault(Outcome.UNKNOWN, 0L), figure(acknowledgedWrites)));
        out.append("faults: ").append(faults.size()).append('\n');
        for (Fault fault : faults) {
            out.append("  ").append(fault).append('\n');
        }
        out.append("violations: ").append(violations()).append(" (keys checked: ").append(results.size())
                .append(String.format(", in %d ms)%n", checkNanos / 1_000_000));
        for (CheckResult result : results) {
            if (result instanceof CheckResult.Violation violation) {
                out.append("  key ").append(violation.key()).append(": not linearizable; shortest failing prefix ")
                        .append(violation.window().size()).append(" operations, ending with ")
                        .append(violation.culprit()).append('\n');
            } else if (result instanceof CheckResult.Inconclusive inconclusive) {
                out.append("  key ").append(inconclusive.key()).append(": not decided, ").append(inconclusive.why())
                        .append(" (a failure)\n");
            }
        }
        out.append("lost acknowledged writes: ").append(figure(lostAcknowledgedWrites)).append('\n');
        out.append("duplicates: ").append(figure(duplicates)).append('\n');
        out.append("longest write gap: ").append(longestWriteGapNanos == NOT_MEASURED ? figure(NOT_MEASURED)
                : longestWriteGapNanos / 1_000_000 + " ms").append('\n');
        timeline.ifPresent(page -> out.append("timeline: ").append(page).append('\n'));
        out.append(passed() ? "PASS" : "FAIL").append(" (run directory ").append(directory).append(")\n");
        return out.toString();
    }
}
