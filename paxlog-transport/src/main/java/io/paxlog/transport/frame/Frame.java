package io.paxlog.transport.frame;

import java.util.Arrays;

/**
 * One decoded (or to-be-encoded) frame: its type, the id of the server that sent it (0 for a client)
 * and its body. The body array is owned by the frame: nobody mutates it after construction.
 */
public record Frame(FrameType type, int senderId, byte[] body) {

    public static final byte[] EMPTY = new byte[0];

    public Frame {
        if (type == null) {
            throw new IllegalArgumentException("frame needs a type");
        }
        if (body == null) {
            throw new IllegalArgumentException("frame body must not be null");
        }
        if (senderId < 0) {
            throw new IllegalArgumentException("sender id must be >= 0, was " + senderId);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && f.senderId == senderId && Arrays.equals(f.body, body);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + senderId) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return type + " from " + senderId + " (" + body.length + "B)";
    }
}
