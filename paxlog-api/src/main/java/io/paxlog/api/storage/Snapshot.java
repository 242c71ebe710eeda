package io.paxlog.api.storage;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The replicated state after applying every slot up to {@code slot}: the core frames the
 * exactly-once table and the application's state into {@code data}. Every slot at or below
 * {@code slot} is finalized by definition, so the log entries there are no longer needed.
 *
 * <p>The data array is owned by the snapshot: callers must not mutate it.
 */
public record Snapshot(long slot, byte[] data) implements SnapshotContent {

    public Snapshot {
        if (slot < 1) {
            throw new IllegalArgumentException("a snapshot covers at least slot 1, was " + slot);
        }
        if (data == null) {
            throw new IllegalArgumentException("snapshot data must not be null");
        }
    }

    @Override
    public long size() {
        return data.length;
    }

    /** Computed on each call: the core computes it once per snapshot it holds. */
    @Override
    public int checksum() {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }

    @Override
    public byte[] read(long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + length + " of a snapshot of " + data.length);
        }
        return Arrays.copyOfRange(data, (int) offset, (int) offset + length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.slot == slot && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(slot) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "snapshot@" + slot + "(" + data.length + "B)";
    }
}
