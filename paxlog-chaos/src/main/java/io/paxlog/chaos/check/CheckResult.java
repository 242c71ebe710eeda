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
     * No order does. {@code window} is the shortest prefix of the key's history (operations in order of
     * invocation) that already has no linearization; its last operation, {@code culprit}, is the one
     * whose arrival made it fail: what it saw or did is what cannot be explained.
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
