package io.paxlog.transport.client;

/**
 * The connection ended before the call was answered (or was closed before the call was made). For a
 * call that was sent, the outcome is unknown: it may have been applied. Retry with the same sequence.
 */
public final class ConnectionClosedException extends Exception {

    public ConnectionClosedException(String message) {
        super(message);
    }
}
