package io.paxlog.core;

import java.util.ArrayList;

/**
 * The entries of one server, indexed by slot, with the two positions the protocol keeps asking for,
 * and the compaction base: every slot up to {@link #snapshotSlot()} is chosen and lives only in the
 * snapshot, its command gone from here.
 *
 * <p>Invariants: {@code snapshotSlot < firstUnfinalizedSlot}; {@code firstUnfinalizedSlot} is the
 * lowest slot without a finalized entry above the snapshot; {@code lastUsedSlot} is the highest slot
 * holding any entry, at least {@code snapshotSlot} (0 when none); a finalized entry is never replaced.
 */
final class EntryLog {

    /** entries.get(i) holds slot snapshotSlot + 1 + i; null where the slot is empty. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long snapshotSlot = 0;
    private long firstUnfinalizedSlot = 1;
    private long lastUsedSlot = 0;

    /** The entry of a slot, or null: empty, or compacted (check {@link #isCompacted}). */
    Entry get(long slot) {
        if (slot <= snapshotSlot || slot > snapshotSlot + entries.size()) {
            return null;
        }
        return entries.get(index(slot));
    }

    boolean isCompacted(long slot) {
        return slot <= snapshotSlot;
    }

    /** Finalized here: compacted, or holding a finalized entry. */
    boolean isFinalized(long slot) {
        if (slot < 1) {
            return false;
        }
        if (slot <= snapshotSlot) {
            return true;
        }
        Entry entry = get(slot);
        return entry != null && entry.finalized();
    }

    void put(long slot, Entry entry) {
        if (slot <= snapshotSlot) {
            // Callers answer for compacted slots themselves; writing one would resurrect a dropped slot.
            throw new AssertionError("slot " + slot + " is compacted into the snapshot at " + snapshotSlot);
        }
        Entry previous = get(slot);
        if (previous != null && previous.finalized()
                && !(entry.finalized() && entry.command().equals(previous.command()))) {
            throw new AssertionError("slot " + slot + " is finalized with " + previous.command()
                    + "; refusing to replace it with " + entry);
        }
        while (snapshotSlot + entries.size() < slot) {
            entries.add(null);
        }
        entries.set(index(slot), entry);
        lastUsedSlot = Math.max(lastUsedSlot, slot);
        if (entry.finalized()) {
            advanceFirstUnfinalized();
        }
    }

    /**
     * Drops every entry up to {@code slot}, which a snapshot now covers: slots known chosen, either
     * because they were applied here or because the snapshot came from a server that applied them.
     * Entries dropped unfinalized are superseded by the chosen commands inside the snapshot.
     */
    void compactThrough(long slot) {
        if (slot <= snapshotSlot) {
            return;
        }
        long drop = Math.min(slot - snapshotSlot, entries.size());
        entries.subList(0, (int) drop).clear();
        snapshotSlot = slot;
        lastUsedSlot = Math.max(lastUsedSlot, slot);
        firstUnfinalizedSlot = Math.max(firstUnfinalizedSlot, slot + 1);
        advanceFirstUnfinalized();
    }

    long snapshotSlot() {
        return snapshotSlot;
    }

    long firstUnfinalizedSlot() {
        return firstUnfinalizedSlot;
    }

    long lastUsedSlot() {
        return lastUsedSlot;
    }

    /** Entries held in memory (the log's length above the snapshot). */
    int size() {
        return entries.size();
    }

    private void advanceFirstUnfinalized() {
        while (isFinalized(firstUnfinalizedSlot)) {
            firstUnfinalizedSlot++;
        }
    }

    private int index(long slot) {
        long index = slot - snapshotSlot - 1;
        if (index >= Integer.MAX_VALUE) {
            throw new IllegalStateException("slot " + slot + " is too far above the snapshot at " + snapshotSlot
                    + " for the in-memory log; snapshots must be taken more often");
        }
        return (int) index;
    }
}
