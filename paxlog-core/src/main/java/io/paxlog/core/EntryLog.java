package io.paxlog.core;

import java.util.ArrayList;

/**
 * The entries of one server, indexed by slot, with the two positions the protocol keeps asking for.
 *
 * <p>Invariants: {@code firstUnfinalizedSlot} is the lowest slot without a finalized entry;
 * {@code lastUsedSlot} is the highest slot holding any entry (0 when none); a finalized entry is
 * never replaced.
 */
final class EntryLog {

    /** entries.get(i) holds slot i + 1; null where the slot is empty. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long firstUnfinalizedSlot = 1;
    private long lastUsedSlot = 0;

    Entry get(long slot) {
        if (slot < 1 || slot > entries.size()) {
            return null;
        }
        return entries.get(index(slot));
    }

    boolean isFinalized(long slot) {
        Entry entry = get(slot);
        return entry != null && entry.finalized();
    }

    void put(long slot, Entry entry) {
        Entry previous = get(slot);
        if (previous != null && previous.finalized()
                && !(entry.finalized() && entry.command().equals(previous.command()))) {
            throw new AssertionError("slot " + slot + " is finalized with " + previous.command()
                    + "; refusing to replace it with " + entry);
        }
        while (entries.size() < slot) {
            entries.add(null);
        }
        entries.set(index(slot), entry);
        lastUsedSlot = Math.max(lastUsedSlot, slot);
        if (entry.finalized()) {
            advanceFirstUnfinalized();
        }
    }

    long firstUnfinalizedSlot() {
        return firstUnfinalizedSlot;
    }

    long lastUsedSlot() {
        return lastUsedSlot;
    }

    private void advanceFirstUnfinalized() {
        while (isFinalized(firstUnfinalizedSlot)) {
            firstUnfinalizedSlot++;
        }
    }

    private static int index(long slot) {
        if (slot > Integer.MAX_VALUE) {
            throw new IllegalStateException("slot " + slot + " beyond the in-memory log; snapshots are needed");
        }
        return (int) (slot - 1);
    }
}
