package io.paxlog.client;

/**
 * The cluster refused the command ({@code REJECTED}): it will never be applied, for example because it
 * is larger than the servers accept. {@link #serverMessage()} says why. Retrying it unchanged would be
 * refused again, so the client does not.
 *
 * <p>A refusal that came after an earlier attempt may have reached a leader (a retry answered "too old
 * for the exactly-once window") is reported as an {@link OutcomeUnknownException} instead.
 */
public final class CommandRejectedException extends CommandNotAppliedException {

    private final int serverId;
    private final String serverMessage;

    CommandRejectedException(long clientId, long sequence, int serverId, String serverMessage, String message) {
        super(clientId, sequence, message);
        this.serverId = serverId;
        this.serverMessage = serverMessage;
    }

    public int serverId() {
        return serverId;
    }

    public String serverMessage() {
        return serverMessage;
    }
}
