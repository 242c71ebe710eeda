package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
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
 * <p>Snapshots: once a snapshot at slot S is durable, the log's recovery ignores every record for a
 * slot at or below S (their entries may be gone with deleted segments, docs/snapshots-design.md), so
 * the model drops those slots and ignores later records for them too, exactly as {@code
 * DurableStateBuilder} does; the recovered state must then carry that snapshot, or a newer one that was
 * saved but never acknowledged (a crash between the rename and the report).
 *
 * <p>Every restart compares the whole recovered state with this one. To keep that cheap, the model
 * keeps a digest: the sum of a 64-bit hash of every slot's state, updated with each change (dropping
 * the slots a snapshot covers subtracts theirs). Two states with the same promise, snapshot (slot and a
 * hash of its bytes), entry count and digest are taken as equal (a difference goes unseen with
 * probability about 2^-64; the snapshot's bytes are compared exactly on a match); a report of a
 * difference compares entry by entry.
 *
 * <p>Thread: the simulation's one thread.
 */
final class DurableModel {

    /** Hears of every entry that takes effect on disk; {@link Checker#durablyAccepted} in a simulation. */
    @FunctionalInterface
    interface StoredListener {
        void stored(StoredEntry entry);
    }

    /**
     * One write the log was handed, in order: a batch (its promise, entries and finalize marks, one
     * record each) or a snapshot (one step: it is durable whole or not at all, since it is renamed into
     * place only once forced).
     */
    record Write(PersistBatch batch, Snapshot snapshot) {
        Write {
            if ((batch == null) == (snapshot == null)) {
                throw new IllegalArgumentException("a write is a batch or a snapshot, not both or neither");
            }
        }

        static Write of(PersistBatch batch) {
            return new Write(batch, null);
        }

        static Write of(Snapshot snapshot) {
            return new Write(null, snapshot);
        }

        /** How many steps a crash may keep a prefix of. */
        int records() {
            return snapshot != null ? 1
                    : (batch.promised() != null ? 1 : 0) + batch.entries().size() + batch.finalizedSlots().size();
        }

        @Override
        public String toString() {
            return snapshot != null ? snapshot.toString() : "batch " + batch.id();
        }
    }

    private final int serverId;
    private Epoch promised = Epoch.ZERO;
    /**
     * The newest durable snapshot; null when none. Invariant: no slot at or below its slot holds an
     * entry ({@code bySlot} is null there), and {@code snapshotHash == hash(snapshot)}.
     */
    private Snapshot snapshot;
    private long snapshotHash;
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
        this.snapshot = of.snapshot;
        this.snapshotHash = of.snapshotHash;
        this.bySlot = of.bySlot.clone();
        this.hashes = of.hashes.clone();
        this.count = of.count;
        this.digest = of.digest;
    }

    Epoch promised() {
        return promised;
    }

    /** The newest durable snapshot, or null when none. */
    Snapshot snapshot() {
        return snapshot;
    }

    /** The slot of the newest durable snapshot; 0 when none. */
    long snapshotSlot() {
        return snapshot == null ? 0 : snapshot.slot();
    }

    /** The entries above the durable snapshot, in slot order: what a recovery must return at least. */
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
     * The log reported {@code saved} durable: from now on recovery must return it (or a newer one) and
     * may lose every entry at or below its slot, so the model drops them.
     *
     * @throws Violation when its slot is not above the last durable snapshot's: the log must refuse that
     */
    void snapshotDurable(Snapshot saved) {
        if (saved.slot() <= snapshotSlot()) {
            throw new Violation("server " + serverId + " reported snapshot at slot " + saved.slot()
                    + " durable after the one at slot " + snapshotSlot());
        }
        long from = snapshotSlot() + 1; // slots below were dropped by the previous snapshot
        long to = Math.min(saved.slot(), bySlot.length - 1L);
        for (long slot = from; slot <= to; slot++) {
            remove((int) slot);
        }
        snapshot = saved;
        snapshotHash = hash(saved);
    }

    /**
     * Checks that {@code recovered} is this durable state plus some prefix of the records of {@code
     * unacknowledged} (writes handed to the log, in order, but never reported durable; the log writes a
     * batch as its promise, then its entries, then its finalize marks, and a crash may keep any prefix of
     * them; a snapshot counts as one record, dropping the slots it covers). So the recovered snapshot is
     * the durable one, or a newer unacknowledged one with every write before it kept whole; an older
     * one never matches. On success this model becomes the recovered state, {@code listener} hears of
     * every entry of the kept prefix, and the number of records kept is returned; otherwise returns -1
     * and changes nothing.
     */
    int recovered(RecoveredState recovered, List<Write> unacknowledged, StoredListener listener) {
        long wanted = 0;
        for (SlotState state : recovered.entries()) {
            wanted += hash(state);
        }
        int wantedCount = recovered.entries().size();
        Snapshot wantedSnapshot = recovered.snapshot();
        long wantedSnapshotHash = wantedSnapshot == null ? 0 : hash(wantedSnapshot);
        if (sameAs(recovered.promised(), wantedSnapshot, wantedSnapshotHash, wantedCount, wanted)) {
            return 0; // the common case: nothing was in flight, or none of it reached the disk
        }
        DurableModel work = new DurableModel(this);
        List<StoredEntry> stored = new ArrayList<>();
        int kept = 0;
        boolean matches = false;
        for (int w = 0; w < unacknowledged.size() && !matches; w++) {
            Write write = unacknowledged.get(w);
            for (int r = 0; r < write.records() && !matches; r++) {
                work.applyRecord(write, r, stored);
                kept++;
                matches = work.sameAs(recovered.promised(), wantedSnapshot, wantedSnapshotHash, wantedCount, wanted);
            }
        }
        if (!matches) {
            return -1;
        }
        for (StoredEntry entry : stored) {
            listener.stored(entry);
        }
        promised = work.promised;
        snapshot = work.snapshot;
        snapshotHash = work.snapshotHash;
        bySlot = work.bySlot;
        hashes = work.hashes;
        count = work.count;
        digest = work.digest;
        return kept;
    }

    private boolean sameAs(Epoch otherPromised, Snapshot otherSnapshot, long otherSnapshotHash, int otherCount,
            long otherDigest) {
        if (!promised.equals(otherPromised) || count != otherCount || digest != otherDigest
                || snapshotSlot() != (otherSnapshot == null ? 0 : otherSnapshot.slot())
                || snapshotHash != otherSnapshotHash) {
            return false;
        }
        // Slots and hashes agree; a snapshot is compared whole since it is rare and its bytes are the state.
        return snapshot == null || snapshot.equals(otherSnapshot);
    }

    /** Where {@code recovered} first differs from this state, for a failure report. */
    String firstDifference(RecoveredState recovered) {
        Snapshot found = recovered.snapshot();
        long foundSlot = found == null ? 0 : found.slot();
        if (foundSlot < snapshotSlot()) {
            return "snapshot: durable " + snapshot + ", recovered " + (found == null ? "none" : found)
                    + ", older than the one acknowledged";
        }
        if (foundSlot == snapshotSlot() && !Objects.equals(found, snapshot)) {
            return "snapshot at slot " + foundSlot + ": recovered bytes differ from the durable ones";
        }
        if (foundSlot > snapshotSlot()) {
            // Legal only if it is one that was in flight with the whole log before it: compare above it.
            return "snapshot: durable " + (snapshot == null ? "none" : snapshot) + ", recovered " + found
                    + " (newer: legal only as the one in flight); above it, " + firstDifferenceAbove(recovered, foundSlot);
        }
        return firstDifferenceAbove(recovered, foundSlot);
    }

    private String firstDifferenceAbove(RecoveredState recovered, long floor) {
        if (!recovered.promised().equals(promised)) {
            return "promised: durable " + promised + ", recovered " + recovered.promised();
        }
        List<SlotState> mine = entries().stream().filter(state -> state.slot() > floor).toList();
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

    /** Applies record {@code r} of {@code write} (promise, entries, finalize marks, in that order). */
    private void applyRecord(Write write, int r, List<StoredEntry> stored) {
        if (write.snapshot() != null) {
            snapshotDurable(write.snapshot());
            return;
        }
        PersistBatch batch = write.batch();
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

    /**
     * Returns false when the slot is covered by the durable snapshot (recovery ignores the record) or
     * finalized (then the entry must repeat its command).
     */
    private boolean store(StoredEntry entry) {
        if (entry.slot() <= snapshotSlot()) {
            return false;
        }
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
        if (slot <= snapshotSlot()) {
            return; // recovery ignores it: the slot lives in the snapshot, its entry may be gone
        }
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

    private void remove(int at) {
        if (bySlot[at] != null) {
            count--;
            digest -= hashes[at];
            hashes[at] = 0;
            bySlot[at] = null;
        }
    }

    /** A 64-bit hash of a snapshot's slot and bytes (FNV-1a over the bytes, mixed). */
    static long hash(Snapshot snapshot) {
        long h = mix(snapshot.slot() * 0xC2B2AE3D27D4EB4FL);
        h = mix(h ^ snapshot.data().length);
        for (byte b : snapshot.data()) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return mix(h);
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
