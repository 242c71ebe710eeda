package io.paxlog.client;

/**
 * The client gave up before the request timeout because no server would lead: for the client's
 * no-leader timeout every server was unreachable or answered {@code NO_QUORUM} or {@code NOT_LEADER}.
 * The message lists what each server answered.
 *
 * <p>The outcome is unknown because at least one attempt reached a server that may have put the
 * command in its log before losing its leadership (a deposed leader answers its waiting clients "not
 * leader", and a later leader may still choose their commands). When no attempt reached any server,
 * the client throws {@link UnavailableException} instead.
 */
public final class NoQuorumException extends OutcomeUnknownException {

    NoQuorumException(long clientId, long sequence, String message) {
        super(clientId, sequence, message, null);
    }
}
