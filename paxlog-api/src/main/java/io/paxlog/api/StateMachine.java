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
}
