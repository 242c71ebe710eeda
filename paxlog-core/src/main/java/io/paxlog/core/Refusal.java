package io.paxlog.core;

/**
 * The core could not take a client's command; the client should retry (elsewhere for
 * {@link Reason#NOT_LEADER}, later for {@link Reason#BUSY}). Because commands carry
 * {@code (clientId, sequence)}, a retry never applies twice.
 *
 * <p>A refusal says nothing about whether the command will still be chosen: a leader that stepped
 * down may have stored it on a majority already. Only a retry tells the outcome.
 *
 * @param leaderHint the server believed to lead, or 0 when unknown
 */
public record Refusal(long requestId, Reason reason, int leaderHint) {

    public enum Reason {
        NOT_LEADER,
        BUSY,
        /**
         * A membership promotion the leader will not propose: the learner is not within the configured
         * lag of the chosen prefix (or the leader has not heard from it). Nothing was proposed.
         */
        LEARNER_BEHIND
    }
}
