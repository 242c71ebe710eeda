package io.paxlog.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.storage.StoredEntry;

/** One record of the log, as the writer appends it and recovery reads it back. */
sealed interface WalRecord permits WalRecord.Promise, WalRecord.Entry, WalRecord.Finalize, WalRecord.SnapshotMarker {

    RecordType type();

    /** The slot the record concerns; 0 for a promise. */
    long slot();

    /** The epoch the record concerns; {@link Epoch#ZERO} for a finalize mark. */
    Epoch epoch();

    record Promise(Epoch promised) implements WalRecord {
        public Promise {
            if (promised == null) {
                throw new IllegalArgumentException("promise record needs an epoch");
            }
        }

        @Override
        public RecordType type() {
            return RecordType.PROMISE;
        }

        @Override
        public long slot() {
            return 0;
        }

        @Override
        public Epoch epoch() {
            return promised;
        }
    }

    record Entry(StoredEntry stored) implements WalRecord {
        public Entry {
            if (stored == null) {
                throw new IllegalArgumentException("entry record needs a stored entry");
            }
        }

        @Override
        public RecordType type() {
            return RecordType.ENTRY;
        }

        @Override
        public long slot() {
            return stored.slot();
        }

        @Override
        public Epoch epoch() {
            return stored.epoch();
        }
    }

    record Finalize(long slot) implements WalRecord {
        public Finalize {
            if (slot < 1) {
                throw new IllegalArgumentException("slots start at 1, was " + slot);
            }
        }

        @Override
        public RecordType type() {
            return RecordType.FINALIZE;
        }

        @Override
        public Epoch epoch() {
            return Epoch.ZERO;
        }
    }

    /** Reserved; see {@link RecordType#SNAPSHOT_MARKER}. */
    record SnapshotMarker(long slot, Epoch epoch) implements WalRecord {
        public SnapshotMarker {
            if (slot < 1 || epoch == null) {
                throw new IllegalArgumentException("snapshot marker needs a slot >= 1 and an epoch");
            }
        }

        @Override
        public RecordType type() {
            return RecordType.SNAPSHOT_MARKER;
        }
    }
}
