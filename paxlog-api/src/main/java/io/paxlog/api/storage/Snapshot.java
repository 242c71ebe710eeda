package io.paxlog.api.storage;

import java.util.Arrays;

/**
 * The replicated state after applying every slot up to {@code slot}: the core frames the
 * exactly-once table and the application's state into {@code data}. Every slot at or below
 * {@code slot} is finalized by definition, so the log entries there are no longer needed.
 *
 * <p>The data array is owned by the snapshot: callers must not mutate it.
 */
public record Snapshot(long slot, byte[] data) {

    public Snapshot {
        if (slot < 1) {
            throw new IllegalArgumentException("a snapshot covers at least slot 1, was " + slot);
        }
        if (data == null) {
            throw new IllegalArgumentException("snapshot data must not be null");
        }
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
