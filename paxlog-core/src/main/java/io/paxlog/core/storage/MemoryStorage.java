package io.paxlog.core.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.TreeMap;

/**
 * A {@link Storage} in memory, for tests and examples: a write is "durable" as soon as it is
 * written, and {@link #recover()} returns everything written so far, as a restarted server on a
 * perfect disk would find it. It survives as long as the object does, so a test can restart a
 * server on the same instance.
 *
 * <p>Thread: not thread-safe; use it from the thread that owns the server's loop.
 */
public final class MemoryStorage implements Storage {

    private Epoch promised = Epoch.ZERO;
    private final TreeMap<Long, SlotState> entries = new TreeMap<>();
    private long writes;

    @Override
    public RecoveredState recover() {
        return new RecoveredState(promised, new ArrayList<>(entries.values()));
    }

    @Override
    public void write(PersistBatch batch, DurableCallback callback) {
        if (batch.promised() != null) {
            if (batch.promised().isBelow(promised)) {
                throw new AssertionError("promised would decrease from " + promised + " to " + batch.promised());
            }
            promised = batch.promised();
        }
        for (StoredEntry entry : batch.entries()) {
            SlotState current = entries.get(entry.slot());
            if (current != null && current.finalized()) {
                continue; // a finalized slot never changes; the core only re-stores the same command
            }
            entries.put(entry.slot(), new SlotState(entry.slot(), entry.epoch(), entry.command(), false));
        }
        for (long slot : batch.finalizedSlots()) {
            SlotState current = entries.get(slot);
            if (current == null) {
                throw new AssertionError("finalize mark for slot " + slot + " with no entry");
            }
            entries.put(slot, new SlotState(slot, current.acceptedEpoch(), current.command(), true));
        }
        writes++;
        callback.durable(batch.id());
    }

    /** How many batches were written; a test can check that work was batched. */
    public long writes() {
        return writes;
    }
}
