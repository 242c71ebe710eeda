package io.paxlog.sim.scenario;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.core.storage.DurableImage;
import java.util.ArrayDeque;
import java.util.List;

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
    private final DurableImage image = new DurableImage();
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
        return image.recovered();
    }

    Epoch promised() {
        return image.promised();
    }

    /** The durable state of a slot, or null. */
    SlotState entry(long slot) {
        return image.entry(slot);
    }

    List<SlotState> entries() {
        return image.entries();
    }

    private void apply(PersistBatch batch) {
        try {
            image.apply(batch);
        } catch (IllegalStateException e) {
            throw new AssertionError("server " + serverId + ": " + e.getMessage(), e);
        }
    }
}
