package io.paxlog.sim;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.core.storage.DurableImage;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A model of one server's disk, for {@link SimOptions.DiskModel#MODEL}: a written batch becomes
 * durable after a simulated latency, in write order (like one fsync after another); a crash loses every
 * batch not yet durable, and nothing is ever torn. Much simpler than the real log ({@link WalDisk}, the
 * default), so a failure that shows up with one disk and not the other points at the storage layer.
 *
 * <p>It also checks the durable side of the invariants: the durable promise never decreases and a
 * durable finalized slot never changes.
 */
final class SimDisk implements SimStorage {

    private record Pending(PersistBatch batch, long durableAt) {}

    private final int serverId;
    private final Scheduler scheduler;
    private final Checker checker;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final DurableImage image = new DurableImage();
    private long lastDurableAt;
    private long durableWrites;

    SimDisk(int serverId, Scheduler scheduler, Checker checker) {
        this.serverId = serverId;
        this.scheduler = scheduler;
        this.checker = checker;
    }

    @Override
    public RecoveredState recover() {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("recover() with writes pending: crash() the disk first");
        }
        return image.recovered();
    }

    @Override
    public void write(PersistBatch batch, DurableCallback callback) {
        long at = Math.max(lastDurableAt, scheduler.now() + scheduler.latencyMs());
        lastDurableAt = at;
        pending.add(new Pending(batch, at));
        scheduler.durableAt(at, this, batch.id());
    }

    /** The simulated fsync for this batch (the token is its id) completed: make it durable. */
    @Override
    public long complete(long batchId) {
        Pending head = pending.peek();
        if (head == null || head.batch().id() != batchId) {
            return 0; // lost in a crash before it completed
        }
        pending.poll();
        apply(head.batch());
        durableWrites++;
        return batchId;
    }

    /** The server crashed: whatever was not durable is gone. */
    @Override
    public String crash() {
        int lost = pending.size();
        pending.clear();
        lastDurableAt = 0;
        return "lost " + lost + " batch(es) not yet durable";
    }

    @Override
    public Epoch durablePromised() {
        return image.promised();
    }

    long durableWrites() {
        return durableWrites;
    }

    @Override
    public List<SlotState> durableEntries() {
        return image.entries();
    }

    private void apply(PersistBatch batch) {
        try {
            for (StoredEntry entry : image.apply(batch)) {
                checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command());
            }
        } catch (IllegalStateException e) {
            throw new Violation("server " + serverId + ": " + e.getMessage());
        }
    }
}
