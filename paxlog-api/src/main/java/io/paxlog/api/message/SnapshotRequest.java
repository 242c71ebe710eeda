package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * Asks a server for {@code length} bytes of its snapshot from {@code offset} on; answered by the
 * {@link SnapshotChunk}s that cover them. The receiver drives a transfer with these requests, a window
 * of chunks in flight, so an interrupted transfer resumes from the last byte it received in order.
 *
 * <p>A snapshot holds only chosen commands, so unlike the five RPCs this exchange is not bound to a
 * leader: {@code epoch} is the sender's promise, for information only, and any server may serve any
 * other.
 *
 * @param slot the snapshot being fetched: the sender answers from its own newest snapshot, from offset 0
 *     when that is not this one
 */
public record SnapshotRequest(Epoch epoch, long slot, long offset, int length) implements Message {

    public SnapshotRequest {
        Messages.requireEpoch(epoch);
        Messages.requireSlotOrZero(slot);
        if (offset < 0) {
            throw new IllegalArgumentException("snapshot offset must be >= 0, was " + offset);
        }
        if (length < 1) {
            throw new IllegalArgumentException("snapshot request length must be positive, was " + length);
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.SNAPSHOT_REQUEST;
    }

    @Override
    public String toString() {
        return "snapshotRequest(" + epoch + ", slot=" + slot + ", offset=" + offset + ", length=" + length + ")";
    }
}
