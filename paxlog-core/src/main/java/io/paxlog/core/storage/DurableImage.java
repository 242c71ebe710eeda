package io.paxlog.core.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a server's disk holds once batches are durable: its promise and its entries. The in-memory
 * storages (for tests, examples and the simulator) keep one, and apply each batch the moment they
 * call it durable.
 *
 * <p>It checks the durable side of the invariants as it goes: the promise never decreases, a
 * finalized slot never changes, a finalize mark has an entry to mark. A batch breaking one is a bug
 * in whoever wrote it: {@link IllegalStateException}, and nothing of that batch is kept.
 */
public final class DurableImage {

    private Epoch promised = Epoch.ZERO;
    private final TreeMap<Long, SlotState> entries = new TreeMap<>();

    /** Applies a durable batch; returns the entries it stored (a re-store of a finalized slot is not). */
    public List<StoredEntry> apply(PersistBatch batch) {
        check(batch);
        if (batch.promised() != null) {
            promised = batch.promised();
        }
        List<StoredEntry> stored = new ArrayList<>(batch.entries().size());
        for (StoredEntry entry : batch.entries()) {
            SlotState current = entries.get(entry.slot());
            if (current == null || !current.finalized()) {
                entries.put(entry.slot(), new SlotState(entry.slot(), entry.epoch(), entry.command(), false));
                stored.add(entry);
            }
        }
        for (long slot : batch.finalizedSlots()) {
            SlotState current = entries.get(slot);
            entries.put(slot, new SlotState(slot, current.acceptedEpoch(), current.command(), true));
        }
        return stored;
    }

    public Epoch promised() {
        return promised;
    }

    /** The durable state of a slot, or null. */
    public SlotState entry(long slot) {
        return entries.get(slot);
    }

    public List<SlotState> entries() {
        return new ArrayList<>(entries.values());
    }

    /** What a server restarting on this disk finds. */
    public RecoveredState recovered() {
        return new RecoveredState(promised, entries());
    }

    private void check(PersistBatch batch) {
        if (batch.promised() != null && batch.promised().isBelow(promised)) {
            throw new IllegalStateException("durable promised would decrease from " + promised + " to " + batch.promised());
        }
        for (StoredEntry entry : batch.entries()) {
            SlotState current = entries.get(entry.slot());
            if (current != null && current.finalized() && !current.command().equals(entry.command())) {
                throw new IllegalStateException("finalized slot " + entry.slot() + " would change on disk: "
                        + current.command() + " -> " + entry.command());
            }
        }
        for (long slot : batch.finalizedSlots()) {
            boolean storedNow = batch.entries().stream().anyMatch(e -> e.slot() == slot);
            if (!entries.containsKey(slot) && !storedNow) {
                throw new IllegalStateException("finalize mark for slot " + slot + " which holds no entry");
            }
        }
    }
}
