package io.paxlog.api;

/**
 * The application replicated by paxlog. Every server feeds it the same finalized commands in the same
 * slot order, so every server reaches the same state.
 *
 * <p>Contract: {@link #apply} must be deterministic. It may depend only on the state built by earlier
 * calls and on its arguments: no clock, no randomness, no environment. Anything that depends on time
 * (expiry, leases) must arrive as a command. It is called from one thread at a time, never
 * concurrently. No-op commands and repeats of an already applied {@code (clientId, sequence)} never
 * reach it: the exactly-once layer filters them out.
 */
public interface StateMachine {

    /**
     * Applies one finalized command and returns its result, which is handed to the client that
     * submitted the command and remembered for retries.
     *
     * @param slot    the log slot of the command; strictly increasing across calls
     * @param payload the command's payload; must not be modified
     * @return the result; never null (use an empty array for "nothing")
     */
    byte[] apply(long slot, byte[] payload);

    /**
     * The whole state, serialized, as it stands after the last applied command. Called between two
     * {@link #apply} calls, never during one. Must be deterministic: two replicas that applied the
     * same commands return the same bytes.
     */
    byte[] snapshot();

    /**
     * Replaces the whole state with one produced by {@link #snapshot()} (on this or another server).
     * Throws {@link IllegalArgumentException} if the bytes are not a snapshot it understands.
     */
    void restore(byte[] snapshot);

    /**
     * Answers a read-only {@code request} from the current state, without changing it. The server calls
     * this on the thread that applies commands, after a read-index round proved the state current
     * (linearizable reads without writing to the log). A state machine that answers no reads keeps
     * this default.
     *
     * @throws UnsupportedOperationException when this state machine answers no reads
     * @throws IllegalArgumentException      for a query it cannot parse
     */
    default byte[] query(byte[] request) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " answers no reads");
    }
}
