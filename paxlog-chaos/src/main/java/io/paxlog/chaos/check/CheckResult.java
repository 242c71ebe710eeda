package io.paxlog.chaos.check;

import java.util.List;

/** What the checker concluded about one key's history. */
public sealed interface CheckResult {

    String key();

    /** Only a found linearization passes: a violation and an unfinished search both fail. */
    default boolean passed() {
        return this instanceof Linearizable;
    }

    /** Some order of the operations, within their real-time bounds, satisfies the model. */
    record Linearizable(String key, int operations, long steps) implements CheckResult {}

    /**
     * No order does. {@code window} is the shortest prefix of the key's history that already has no
     * linearization: the operations invoked by the moment {@code culprit} completed, the earliest
     * completion after which the history cannot be explained (operations still pending then count as of
     * unknown outcome). The culprit's answer is the one that cannot be explained.
     */
    record Violation(String key, List<Operation<?, ?>> history, List<Operation<?, ?>> window,
            Operation<?, ?> culprit, long steps) implements CheckResult {
        public Violation {
            history = List.copyOf(history);
            window = List.copyOf(window);
        }
    }

    /**
     * The search ran out of its budget of steps or time before deciding. This is a failure: a history
     * that was not shown linearizable was not shown correct.
     */
    record Inconclusive(String key, int operations, long steps, String why) implements CheckResult {}
}
