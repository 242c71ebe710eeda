package io.paxlog.transport.frame;

/**
 * What a frame carries. The code is the byte on the wire: never reuse or renumber one. Peer and client
 * types are distinct so a connection made to the wrong port is refused from its first frame.
 */
public enum FrameType {
    /** First frame on a peer connection, both ways: "I am server {@code senderId} of this cluster". Empty body. */
    PEER_HELLO(1),
    /** One server-to-server message; the body is {@code MessageCodec}'s encoding. */
    PEER_MESSAGE(2),
    /** Keeps an idle connection from being closed by the other side's read timeout. Empty body. */
    PING(3),
    /** A client's request; the body is {@code ClientCodec}'s encoding of a {@code ClientCall}. */
    CLIENT_CALL(16),
    /** A server's answer to one call; the body is {@code ClientCodec}'s encoding of a {@code ClientAnswer}. */
    CLIENT_ANSWER(17);

    private final byte code;

    FrameType(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** values() clones its array on every call; decoding asks once per frame. */
    private static final FrameType[] VALUES = values();

    /** The type with this code, or null if no type has it. */
    public static FrameType fromCode(byte code) {
        for (FrameType type : VALUES) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
