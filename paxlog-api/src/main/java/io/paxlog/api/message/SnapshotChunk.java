package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.Arrays;

/**
 * Part of a server's snapshot at {@code slot}: {@code bytes} at {@code offset} of a snapshot of {@code
 * totalBytes} whose CRC-32C is {@code checksum}. The receiver verifies the checksum over the whole
 * before it installs anything.
 *
 * <p>A chunk with no bytes at offset 0 is an offer: a leader tells a follower that is behind its
 * snapshot to fetch it (with {@link SnapshotRequest}s).
 *
 * @param epoch the sender's promise, for information only (see {@link SnapshotRequest})
 */
public record SnapshotChunk(Epoch epoch, long slot, long totalBytes, int checksum, long offset, byte[] bytes)
        implements Message {

    public SnapshotChunk {
        Messages.requireEpoch(epoch);
        Messages.requireSlot(slot);
        if (bytes == null) {
            throw new IllegalArgumentException("snapshot chunk needs bytes (empty for an offer)");
        }
        if (totalBytes < 0 || totalBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("snapshot size out of range: " + totalBytes);
        }
        if (offset < 0 || offset + bytes.length > totalBytes) {
            throw new IllegalArgumentException("chunk " + offset + "+" + bytes.length + " outside a snapshot of "
                    + totalBytes + " bytes");
        }
    }

    public boolean isOffer() {
        return offset == 0 && bytes.length == 0 && totalBytes > 0;
    }

    public boolean isLast() {
        return offset + bytes.length == totalBytes;
    }

    @Override
    public MessageKind kind() {
        return MessageKind.SNAPSHOT_CHUNK;
    }

    @Override
    public int sizeBytes() {
        return 48 + bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotChunk c && c.epoch.equals(epoch) && c.slot == slot && c.totalBytes == totalBytes
                && c.checksum == checksum && c.offset == offset && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return ((epoch.hashCode() * 31 + Long.hashCode(slot)) * 31 + Long.hashCode(offset)) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "snapshotChunk(" + epoch + ", slot=" + slot + ", " + offset + "+" + bytes.length + "/" + totalBytes + ")";
    }
}
