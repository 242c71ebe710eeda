package io.paxlog.client;

/**
 * A server answered {@code ERROR}: something unexpected went wrong there (it was stopping, its handler
 * failed, or the result was too large to send back). The command may have been applied first, so the
 * outcome is unknown; the client does not retry it. {@link #serverMessage()} is the server's reason.
 */
public final class ServerErrorException extends OutcomeUnknownException {

    private final int serverId;
    private final String serverMessage;

    ServerErrorException(long clientId, long sequence, int serverId, String serverMessage, String message) {
        super(clientId, sequence, message, null);
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
