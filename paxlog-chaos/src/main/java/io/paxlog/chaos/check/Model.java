package io.paxlog.chaos.check;

/**
 * A sequential specification of one key: states and the operations that move between them. States are
 * values (records): the checker caches (set of operations linearized, state) pairs, so equal states
 * must be equal objects with equal hash codes.
 *
 * @param <S> the state of one key
 * @param <I> an operation's input
 * @param <O> an operation's output
 */
public interface Model<S, I, O> {

    /** The state of a key no operation touched. */
    S initial();

    /**
     * The state after {@code input} applied to {@code state} answered {@code output}, or null if the
     * specification does not allow that answer there. A null {@code output} is an unknown outcome: the
     * operation's answer was lost, so any answer is allowed, and the step must then never return null
     * (an operation that took effect with some answer always has a next state).
     */
    S step(S state, I input, O output);

    /** A short text of an operation, for reports and the timeline. */
    default String describe(I input, O output) {
        return input + (output == null ? "" : " -> " + output);
    }
}
