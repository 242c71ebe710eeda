package io.paxlog.client;

/**
 * The command may or may not have been applied: its request timeout expired with an attempt
 * unanswered, the client was closed while it was outstanding, or (subclasses) the client gave up after
 * an attempt that may have reached a leader. A copy already sent may still be applied later, once.
 *
 * <p>Submitting the same bytes again makes a new command with a new sequence, which the servers cannot
 * recognize as a repeat: do that only if applying the command twice is harmless, or after reading the
 * state to find out whether the first one was applied.
 */
public sealed class OutcomeUnknownException extends PaxlogClientException
        permits NoQuorumException, ServerErrorException {

    OutcomeUnknownException(long clientId, long sequence, String message, Throwable cause) {
        super(clientId, sequence, message, cause);
    }

    @Override
    public final boolean mayHaveBeenApplied() {
        return true;
    }
}
