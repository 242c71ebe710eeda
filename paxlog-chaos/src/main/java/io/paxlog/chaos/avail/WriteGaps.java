package io.paxlog.chaos.avail;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import java.util.ArrayList;
import java.util.List;

/**
 * How long one writer went without a successful write within a window of the history, each figure one
 * a person can check by hand from {@code history.txt}.
 *
 * @param longestGapNanos the longest stretch of the window without a write acknowledged to this writer:
 *     the largest difference between consecutive times among the window's start, the completions of its
 *     acknowledged writes within the window, and the window's end (the whole window when none)
 * @param firstNanos from the window's start to the first acknowledged completion within it; -1 if none
 * @param ok writes acknowledged within the window (by completion)
 * @param failed writes invoked within the window that were definitely not applied
 * @param unknown writes invoked within the window whose outcome stayed unknown
 */
public record WriteGaps(long longestGapNanos, long firstNanos, int ok, int failed, int unknown) {

    /** The figures of {@code client}'s writes in {@code [start, end]}. */
    public static WriteGaps of(List<? extends Operation<RegisterModel.Input, RegisterModel.Output>> history, int client,
            long start, long end) {
        if (end < start) {
            throw new IllegalArgumentException("a window ends (" + end + ") before it starts (" + start + ")");
        }
        List<Long> acknowledged = new ArrayList<>();
        int failed = 0;
        int unknown = 0;
        for (Operation<RegisterModel.Input, RegisterModel.Output> op : history) {
            if (op.client() != client || !(op.input() instanceof RegisterModel.Write)) {
                continue;
            }
            if (op.outcome() == Outcome.OK && op.completeNanos() >= start && op.completeNanos() <= end) {
                acknowledged.add(op.completeNanos());
            } else if (op.invokeNanos() >= start && op.invokeNanos() <= end) {
                if (op.outcome() == Outcome.FAILED) {
                    failed++;
                } else if (op.outcome() == Outcome.UNKNOWN) {
                    unknown++;
                }
            }
        }
        acknowledged.sort(null);
        long longest = 0;
        long previous = start;
        for (long at : acknowledged) {
            longest = Math.max(longest, at - previous);
            previous = at;
        }
        longest = Math.max(longest, end - previous);
        long first = acknowledged.isEmpty() ? -1 : acknowledged.get(0) - start;
        return new WriteGaps(longest, first, acknowledged.size(), failed, unknown);
    }

    @JsonProperty("longestGapMillis")
    public long longestGapMillis() {
        return longestGapNanos / 1_000_000;
    }

    @JsonProperty("firstMillis")
    public long firstMillis() {
        return firstNanos < 0 ? -1 : firstNanos / 1_000_000;
    }
}
