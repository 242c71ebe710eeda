package io.paxlog.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns batches into records, in write order, after checking what the core promises about them: ids
 * contiguous from 1, {@code promised} never decreasing, no entry above the promise
 * (docs/protocol.md#promised-never-decreases, docs/protocol.md#store). A violation is a bug that would
 * put a lie on disk, so it throws {@link AssertionError} before anything is queued. Recovery checks the
 * same rules on the way back in.
 *
 * <p>Thread: guarded by the {@link PendingQueue}'s lock.
 */
final class BatchSequence {

    private long lastId;
    private Epoch promised;

    BatchSequence(Epoch recoveredPromised) {
        this.promised = recoveredPromised;
    }

    /** The records of {@code batch}: the promise, then entries, then finalize marks. */
    static List<WalRecord> records(PersistBatch batch) {
        List<WalRecord> records = new ArrayList<>(1 + batch.entries().size() + batch.finalizedSlots().size());
        if (batch.promised() != null) {
            records.add(new WalRecord.Promise(batch.promised()));
        }
        for (StoredEntry entry : batch.entries()) {
            records.add(new WalRecord.Entry(entry));
        }
        for (long slot : batch.finalizedSlots()) {
            records.add(new WalRecord.Finalize(slot));
        }
        return records;
    }

    /** Checks {@code batch} against the batches before it and records it as the latest. */
    void admit(PersistBatch batch) {
        if (batch.id() != lastId + 1) {
            throw new AssertionError("persist batch ids must be contiguous from 1: got " + batch.id()
                    + " after " + lastId);
        }
        Epoch after = promised;
        if (batch.promised() != null) {
            if (batch.promised().isBelow(promised)) {
                throw new AssertionError("promised must never decrease: batch " + batch.id() + " writes "
                        + batch.promised() + " after " + promised);
            }
            after = batch.promised();
        }
        for (StoredEntry entry : batch.entries()) {
            if (entry.epoch().isAbove(after)) {
                throw new AssertionError("batch " + batch.id() + " stores slot " + entry.slot() + " at "
                        + entry.epoch() + ", above the promise " + after);
            }
        }
        lastId = batch.id();
        promised = after;
    }
}
