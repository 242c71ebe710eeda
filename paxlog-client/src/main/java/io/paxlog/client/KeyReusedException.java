package io.paxlog.client;

/**
 * A keyed command ({@link PaxlogClient#submitKeyed}) was not applied: its idempotency key was applied
 * before with another command. It never will be under that key; use a new key for a new command.
 */
public final class KeyReusedException extends CommandNotAppliedException {

    private final int serverId;
    private final String serverMessage;

    KeyReusedException(long clientId, int serverId, String serverMessage, String message) {
        super(clientId, 1, message);
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
