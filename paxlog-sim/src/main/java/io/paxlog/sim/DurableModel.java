package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One server's durable state as the simulator knows it from the batches its storage reported durable:
 * the yardstick the real log's recovery is held to. It replays a batch the way the log does (the
 * promise, then the entries, then the finalize marks; a finalized slot keeps its command) and checks
 * the durable side of the invariants on the way: the promise never decreases, a finalized slot never
 * changes, a finalize mark follows an entry.
 *
 * <p>Every restart compares the whole recovered state with this one. To keep that cheap, the model
 * keeps a digest: the sum of a 64-bit hash of every slot's state, updated with each change. Two states
 * with the same promise, entry count and digest are taken as equal (a difference goes unseen with
 * probability about 2^-64); a report of a difference compares entry by entry.
 *
 * <p>Thread: the simulation's one thread.
 */
final class DurableModel {

    /** Hears of every entry that takes effect on disk; {@link Checker#durablyAccepted} in a simulation. */
    @FunctionalInterface
    interface StoredListener {
        void stored(StoredEntry entry);
    }

    private final int serverId;
    private Epoch promised = Epoch.ZERO;
    /**
     * Entries indexed by slot: slots are dense and small in a simulation. Invariants: {@code count} is
     * the number of non-null ones; {@code hashes[s] == hash(bySlot[s])} where there is one, 0 elsewhere;
     * {@code digest} is the sum of {@code hashes}.
     */
    private SlotState[] bySlot = new SlotState[1024];
    private long[] hashes = new long[1024];
    private int count;
    private long digest;

    DurableModel(int serverId) {
        this.serverId = serverId;
    }

    private DurableModel(DurableModel of) {
        this.serverId = of.serverId;
        this.promised = of.promised;
        this.bySlot = of.bySlot.clone();
        this.hashes = of.hashes.clone();
        this.count = of.count;
        this.digest = of.digest;
    }

    Epoch promised() {
        return promised;
    }

    List<SlotState> entries() {
        List<SlotState> list = new ArrayList<>(count);
        for (int slot = 0; slot < bySlot.length && list.size() < count; slot++) {
            if (bySlot[slot] != null) {
                list.add(bySlot[slot]);
            }
        }
        return list;
    }

    /** Applies a whole batch that became durable. */
    void apply(PersistBatch batch, StoredListener listener) {
        if (batch.promised() != null) {
            promise(batch.promised());
        }
        for (StoredEntry entry : batch.entries()) {
            if (store(entry)) {
                listener.stored(entry);
            }
        }
        for (long slot : batch.finalizedSlots()) {
            finalizeSlot(slot);
        }
    }

    /**
     * Checks that {@code recovered} is this durable state plus some prefix of the records of {@code
     * unacknowledged} (batches written, in order, but never reported durable; the log writes a batch as
     * its promise, then its entries, then its finalize marks, and a crash may keep any prefix of them).
     * On success this model becomes the recovered state, {@code listener} hears of every entry of the
     * kept prefix, and the number of records kept is returned; otherwise returns -1 and changes nothing.
     */
    int recovered(RecoveredState recovered, List<PersistBatch> unacknowledged, StoredListener listener) {
        long wanted = 0;
        for (SlotState state : recovered.entries()) {
            wanted += hash(state);
        }
        int wantedCount = recovered.entries().size();
        if (sameAs(recovered.promised(), wantedCount, wanted)) {
            return 0; // the common case: nothing was in flight, or none of it reached the disk
        }
        DurableModel work = new DurableModel(this);
        List<StoredEntry> stored = new ArrayList<>();
        int kept = 0;
        boolean matches = false;
        for (int b = 0; b < unacknowledged.size() && !matches; b++) {
            PersistBatch batch = unacknowledged.get(b);
            int records = (batch.promised() != null ? 1 : 0) + batch.entries().size()
                    + batch.finalizedSlots().size();
            for (int r = 0; r < records && !matches; r++) {
                work.applyRecord(batch, r, stored);
                kept++;
                matches = work.sameAs(recovered.promised(), wantedCount, wanted);
            }
        }
        if (!matches) {
            return -1;
        }
        for (StoredEntry entry : stored) {
            listener.stored(entry);
        }
        promised = work.promised;
        bySlot = work.bySlot;
        hashes = work.hashes;
        count = work.count;
        digest = work.digest;
        return kept;
    }

    private boolean sameAs(Epoch otherPromised, int otherCount, long otherDigest) {
        return promised.equals(otherPromised) && count == otherCount && digest == otherDigest;
    }

    /** Where {@code recovered} first differs from this state, for a failure report. */
    String firstDifference(RecoveredState recovered) {
        if (!recovered.promised().equals(promised)) {
            return "promised: durable " + promised + ", recovered " + recovered.promised();
        }
        List<SlotState> mine = entries();
        List<SlotState> theirs = recovered.entries();
        for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
            SlotState a = i < mine.size() ? mine.get(i) : null;
            SlotState b = i < theirs.size() ? theirs.get(i) : null;
            if (!Objects.equals(a, b)) {
                long slot = Math.min(a == null ? Long.MAX_VALUE : a.slot(), b == null ? Long.MAX_VALUE : b.slot());
                SlotState durable = get(slot);
                SlotState found = b != null && b.slot() == slot ? b : null;
                return "slot " + slot + ": durable " + (durable == null ? "none" : durable) + ", recovered "
                        + (found == null ? "none" : found);
            }
        }
        return "none";
    }

    /** Applies record {@code r} of {@code batch} (promise, entries, finalize marks, in that order). */
    private void applyRecord(PersistBatch batch, int r, List<StoredEntry> stored) {
        int index = r;
        if (batch.promised() != null) {
            if (index == 0) {
                promise(batch.promised());
                return;
            }
            index--;
        }
        if (index < batch.entries().size()) {
            StoredEntry entry = batch.entries().get(index);
            if (store(entry)) {
                stored.add(entry);
            }
            return;
        }
        finalizeSlot(batch.finalizedSlots().get(index - batch.entries().size()));
    }

    private void promise(Epoch epoch) {
        if (epoch.isBelow(promised)) {
            throw new Violation("server " + serverId + " durable promised decreased from " + promised + " to "
                    + epoch);
        }
        promised = epoch;
    }

    /** Returns false when the slot is finalized (then the entry must repeat its command). */
    private boolean store(StoredEntry entry) {
        SlotState current = get(entry.slot());
        if (current != null && current.finalized()) {
            if (!current.command().equals(entry.command())) {
                throw new Violation("server " + serverId + " overwrote finalized slot " + entry.slot()
                        + " on disk: " + current.command() + " -> " + entry.command());
            }
            return false;
        }
        put(new SlotState(entry.slot(), entry.epoch(), entry.command(), false));
        return true;
    }

    private void finalizeSlot(long slot) {
        SlotState current = get(slot);
        if (current == null) {
            throw new Violation("server " + serverId + " wrote a finalize mark for slot " + slot
                    + " it holds no entry for");
        }
        if (!current.finalized()) {
            put(new SlotState(slot, current.acceptedEpoch(), current.command(), true));
        }
    }

    private SlotState get(long slot) {
        return slot < bySlot.length ? bySlot[(int) slot] : null;
    }

    private void put(SlotState state) {
        long slot = state.slot();
        if (slot >= bySlot.length) {
            if (slot >= Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("slot " + slot + " is beyond what a simulation reaches");
            }
            int length = (int) Math.max(slot + 1, 2L * bySlot.length);
            bySlot = Arrays.copyOf(bySlot, length);
            hashes = Arrays.copyOf(hashes, length);
        }
        int at = (int) slot;
        if (bySlot[at] == null) {
            count++;
        }
        long hash = hash(state);
        digest += hash - hashes[at];
        hashes[at] = hash;
        bySlot[at] = state;
    }

    /** A 64-bit hash of everything in a slot's state; summed into the digest. */
    static long hash(SlotState state) {
        Command command = state.command();
        long h = mix(state.slot() * 0x9E3779B97F4A7C15L);
        h = mix(h ^ state.acceptedEpoch().round());
        h = mix(h ^ state.acceptedEpoch().serverId());
        h = mix(h ^ command.clientId());
        h = mix(h ^ command.sequence());
        byte[] payload = command.payload();
        h = mix(h ^ payload.length);
        for (byte b : payload) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return mix(h ^ (state.finalized() ? 0x5bd1e995L : 0x27d4eb2fL));
    }

    /** SplitMix64's finalizer: every input bit changes about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
