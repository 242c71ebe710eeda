package io.paxlog.chaos.run;

import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Figures of a run besides the checker's verdict, each a plain necessary condition a person can verify
 * from the history by hand. They overlap with linearizability on purpose: they name the kind of loss.
 */
public final class Findings {

    private Findings() {}

    /**
     * Acknowledged writes the final state contradicts. For each key, the final read (after every fault
     * healed) saw value V, written by one operation W (values are unique). An acknowledged write invoked
     * after W completed came after W in real time, so it should have replaced V: it was lost. If the final
     * read saw nothing, every acknowledged write of the key was lost. (A V nobody wrote is the checker's
     * to report; W of unknown outcome completes at infinity, so nothing counts as after it.)
     */
    public static int lostAcknowledgedWrites(List<Operation<RegisterModel.Input, RegisterModel.Output>> history,
            Map<String, Operation<RegisterModel.Input, RegisterModel.Output>> finalReads) {
        int lost = 0;
        for (Map.Entry<String, Operation<RegisterModel.Input, RegisterModel.Output>> entry : finalReads.entrySet()) {
            String key = entry.getKey();
            String finalValue = ((RegisterModel.ReadValue) entry.getValue().output()).value();
            long writerCompleted = Long.MIN_VALUE;
            if (finalValue != null) {
                Operation<RegisterModel.Input, RegisterModel.Output> writer = history.stream()
                        .filter(op -> op.key().equals(key) && finalValue.equals(written(op))).findFirst().orElse(null);
                if (writer == null) {
                    continue;
                }
                writerCompleted = writer.outcome() == Outcome.UNKNOWN ? Long.MAX_VALUE : writer.completeNanos();
            }
            for (Operation<RegisterModel.Input, RegisterModel.Output> op : history) {
                if (op.key().equals(key) && acknowledgedWrite(op) && op.invokeNanos() > writerCompleted) {
                    lost++;
                }
            }
        }
        return lost;
    }

    /**
     * Values the servers reported at two or more versions. A version is the slot of the write that made
     * the value, and every value is written by one operation: two versions mean it was applied twice.
     */
    public static int duplicates(List<Recorder.Version> versions) {
        Map<String, Set<Long>> seen = new HashMap<>();
        for (Recorder.Version version : versions) {
            seen.computeIfAbsent(version.key() + "\u0000" + version.value(), k -> new HashSet<>()).add(version.version());
        }
        return (int) seen.values().stream().filter(set -> set.size() > 1).count();
    }

    /** The longest time between two acknowledgements of writes (any key), from the first to the last. */
    static long longestWriteGapNanos(List<Operation<RegisterModel.Input, RegisterModel.Output>> history) {
        List<Long> acknowledged = new ArrayList<>();
        for (Operation<RegisterModel.Input, RegisterModel.Output> op : history) {
            if (acknowledgedWrite(op)) {
                acknowledged.add(op.completeNanos());
            }
        }
        acknowledged.sort(null);
        long longest = 0;
        for (int i = 1; i < acknowledged.size(); i++) {
            longest = Math.max(longest, acknowledged.get(i) - acknowledged.get(i - 1));
        }
        return longest;
    }

    /** An acknowledged write that changed the value: a write, or a compare-and-set that swapped. */
    static boolean acknowledgedWrite(Operation<RegisterModel.Input, RegisterModel.Output> op) {
        return op.outcome() == Outcome.OK && (op.output() instanceof RegisterModel.Written
                || op.output() instanceof RegisterModel.CasResult cas && cas.swapped());
    }

    private static String written(Operation<RegisterModel.Input, RegisterModel.Output> op) {
        if (op.input() instanceof RegisterModel.Write write) {
            return write.value();
        }
        return op.input() instanceof RegisterModel.Cas cas ? cas.value() : null;
    }
}
