package io.paxlog.client;

/**
 * The command was not applied: the client's session had expired on the servers (it was silent for
 * longer than the cluster's session timeout, typically cut off from the leader that long), and no
 * earlier attempt of this command may have reached a server. Submitting it again is safe; the client
 * opens a new session for it. When an earlier attempt may have reached a server, the same expiry is
 * reported as an {@link OutcomeUnknownException} instead (docs/protocol.md#client-sessions).
 */
public final class SessionExpiredException extends CommandNotAppliedException {

    SessionExpiredException(long clientId, long sequence, String message) {
        super(clientId, sequence, message);
    }
}
