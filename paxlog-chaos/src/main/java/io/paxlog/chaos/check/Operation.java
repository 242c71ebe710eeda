package io.paxlog.chaos.check;

import java.util.Objects;

/**
 * One client's operation on one key, as recorded: what it asked, what it was told, and when (monotonic
 * nanoseconds, one clock for the whole history).
 *
 * @param id unique in the history; also the operation's index in the timeline
 * @param client the client (thread) that ran it: one row of the timeline
 * @param key the key (or lock name) it touched; keys are checked independently
 * @param input what it asked
 * @param output what it was told; null unless {@code outcome} is {@link Outcome#OK}
 * @param invokeNanos when it was invoked
 * @param completeNanos when its answer arrived; for an {@link Outcome#UNKNOWN} one, when its client gave up
 *     (shown in the timeline; the checker uses infinity)
 */
public record Operation<I, O>(int id, int client, String key, I input, O output, Outcome outcome,
        long invokeNanos, long completeNanos) {

    public Operation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.OK) != (output != null)) {
            throw new IllegalArgumentException("an output belongs to an OK operation, and only to one: " + outcome
                    + " with " + output);
        }
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("operation " + id + " completes (" + completeNanos
                    + ") before it is invoked (" + invokeNanos + ")");
        }
    }

    public static <I, O> Operation<I, O> ok(int id, int client, String key, I input, O output, long invoke,
            long complete) {
        return new Operation<>(id, client, key, input, Objects.requireNonNull(output, "output"), Outcome.OK,
                invoke, complete);
    }

    public static <I, O> Operation<I, O> failed(int id, int client, String key, I input, long invoke, long complete) {
        return new Operation<>(id, client, key, input, null, Outcome.FAILED, invoke, complete);
    }

    public static <I, O> Operation<I, O> unknown(int id, int client, String key, I input, long invoke, long gaveUp) {
        return new Operation<>(id, client, key, input, null, Outcome.UNKNOWN, invoke, gaveUp);
    }

    /** When the checker considers it complete: never, for an unknown outcome. */
    long checkedCompletion() {
        return outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : completeNanos;
    }

    @Override
    public String toString() {
        return "#" + id + " c" + client + " " + key + " " + input + " -> "
                + (outcome == Outcome.OK ? String.valueOf(output) : outcome) + " [" + invokeNanos + ", "
                + (outcome == Outcome.UNKNOWN ? "?" : Long.toString(completeNanos)) + "]";
    }
}
