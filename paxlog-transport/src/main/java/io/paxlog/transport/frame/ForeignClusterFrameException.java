package io.paxlog.transport.frame;

/**
 * A whole, intact frame (magic, version, type, length and checksum all valid) tagged with another
 * cluster's tag. The connection is closed as for any {@link FrameException}; but because the frame is
 * intact, a listener can still tell its sender why, in the sender's own cluster tag, which is the one
 * its decoder accepts: a client pointed at the wrong cluster learns that nothing was applied, instead
 * of seeing a connection closed with its call pending (outcome unknown).
 */
public final class ForeignClusterFrameException extends FrameException {

    private final int clusterTag;
    private final transient Frame frame;

    ForeignClusterFrameException(String message, int clusterTag, Frame frame) {
        super(message);
        this.clusterTag = clusterTag;
        this.frame = frame;
    }

    /** The tag the frame carried: its sender's cluster. */
    public int clusterTag() {
        return clusterTag;
    }

    /** The frame, decoded as if it had carried this cluster's tag. */
    public Frame frame() {
        return frame;
    }
}
