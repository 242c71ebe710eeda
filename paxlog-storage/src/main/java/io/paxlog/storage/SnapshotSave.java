package io.paxlog.storage;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.storage.Snapshot;

/**
 * A snapshot queued to be saved: its bytes in hand (one received from another server), or a frozen view
 * of this server's state that the committer writes to the file itself, so that serializing happens on
 * the I/O thread and never on the loop thread.
 */
sealed interface SnapshotSave {

    long slot();

    /** Bytes already whole in memory: written as they are, and kept as the newest snapshot. */
    record InHand(Snapshot snapshot) implements SnapshotSave {
        @Override
        public long slot() {
            return snapshot.slot();
        }
    }

    /**
     * A view written to the file on the committer thread; once durable, the file is read back, verified,
     * to become the newest snapshot (the bytes the core serves to other servers).
     */
    record Streamed(long slot, SnapshotSource source) implements SnapshotSave {
        public Streamed {
            if (slot < 1) {
                throw new IllegalArgumentException("a snapshot covers at least slot 1, was " + slot);
            }
        }
    }
}
