package io.paxlog.sim;

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
    private Epoch promised = Epoch.ZERO;
    private final TreeMap<Long, SlotState> entries = new TreeMap<>();
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
        return new RecoveredState(promised, new ArrayList<>(entries.values()));
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
        return promised;
    }

    long durableWrites() {
        return durableWrites;
    }

    @Override
    public List<SlotState> durableEntries() {
        return new ArrayList<>(entries.values());
    }

    private void apply(PersistBatch batch) {
        if (batch.promised() != null) {
            if (batch.promised().isBelow(promised)) {
                throw new Violation("server " + serverId + " durable promised decreased from " + promised
                        + " to " + batch.promised());
            }
            promised = batch.promised();
        }
        for (StoredEntry entry : batch.entries()) {
            SlotState current = entries.get(entry.slot());
            if (current != null && current.finalized()) {
                if (!current.command().equals(entry.command())) {
                    throw new Violation("server " + serverId + " overwrote finalized slot " + entry.slot()
                            + " on disk: " + current.command() + " -> " + entry.command());
                }
                continue;
            }
            entries.put(entry.slot(), new SlotState(entry.slot(), entry.epoch(), entry.command(), false));
            checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command());
        }
        for (long slot : batch.finalizedSlots()) {
            SlotState current = entries.get(slot);
            if (current == null) {
                throw new Violation("server " + serverId + " wrote a finalize mark for slot " + slot
                        + " it holds no entry for");
            }
            entries.put(slot, new SlotState(slot, current.acceptedEpoch(), current.command(), true));
        }
    }
}
