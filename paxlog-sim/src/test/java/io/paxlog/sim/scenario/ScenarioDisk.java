package io.paxlog.sim.scenario;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One server's disk in a scenario. A written batch stays pending until the script (or the cluster, in
 * automatic mode) makes it durable; batches become durable in write order, like one fsync after
 * another. A crash forgets every pending batch. The durable image is the only thing that survives a
 * restart.
 *
 * <p>Checks the durable side of the invariants as it applies a batch: the durable promise never
 * decreases, a durable finalized slot never changes, and no finalize mark lands on an empty slot.
 */
final class ScenarioDisk {

    private final int serverId;
    private final ArrayDeque<PersistBatch> pending = new ArrayDeque<>();
    private final TreeMap<Long, SlotState> entries = new TreeMap<>();
    private Epoch promised = Epoch.ZERO;
    /** When true, the cluster makes every batch durable right after the step that wrote it. */
    boolean automatic = true;

    ScenarioDisk(int serverId) {
        this.serverId = serverId;
    }

    void write(PersistBatch batch) {
        PersistBatch last = pending.peekLast();
        if (last != null && batch.id() != last.id() + 1) {
            throw new AssertionError("server " + serverId + " wrote batch " + batch.id() + " after " + last.id());
        }
        pending.add(batch);
    }

    List<PersistBatch> pending() {
        return List.copyOf(pending);
    }

    /** Makes the pending batches up to {@code batchId} durable, in order. Returns the last one made durable, or 0. */
    long makeDurable(long batchId) {
        long last = 0;
        while (!pending.isEmpty() && pending.peek().id() <= batchId) {
            PersistBatch batch = pending.poll();
            apply(batch);
            last = batch.id();
        }
        return last;
    }

    /** The server crashed: returns the batches that were not durable and are now gone. */
    List<PersistBatch> crash() {
        List<PersistBatch> lost = List.copyOf(pending);
        pending.clear();
        return lost;
    }

    RecoveredState recover() {
        if (!pending.isEmpty()) {
            throw new AssertionError("server " + serverId + " restarts with pending writes; crash it first");
        }
        return new RecoveredState(promised, new ArrayList<>(entries.values()));
    }

    Epoch promised() {
        return promised;
    }

    /** The durable state of a slot, or null. */
    SlotState entry(long slot) {
        return entries.get(slot);
    }

    List<SlotState> entries() {
        return new ArrayList<>(entries.values());
    }

    private void apply(PersistBatch batch) {
        if (batch.promised() != null) {
            if (batch.promised().isBelow(promised)) {
                throw new AssertionError("server " + serverId + ": durable promised decreased from " + promised
                        + " to " + batch.promised());
            }
            promised = batch.promised();
        }
        for (StoredEntry entry : batch.entries()) {
            SlotState current = entries.get(entry.slot());
            if (current != null && current.finalized()) {
                if (!current.command().equals(entry.command())) {
                    throw new AssertionError("server " + serverId + " overwrote finalized slot " + entry.slot()
                            + " on disk: " + current.command() + " -> " + entry.command());
                }
                continue;
            }
            entries.put(entry.slot(), new SlotState(entry.slot(), entry.epoch(), entry.command(), false));
        }
        for (long slot : batch.finalizedSlots()) {
            SlotState current = entries.get(slot);
            if (current == null) {
                throw new AssertionError("server " + serverId + " wrote a finalize mark for empty slot " + slot);
            }
            entries.put(slot, new SlotState(slot, current.acceptedEpoch(), current.command(), true));
        }
    }
}
