package io.paxlog.transport.codec;

/**
 * A frame body does not hold a valid message: truncated, a count or length out of bounds, trailing
 * bytes, an unknown code, or values a message record refuses. The connection that sent it is closed.
 */
public final class DecodeException extends Exception {

    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
