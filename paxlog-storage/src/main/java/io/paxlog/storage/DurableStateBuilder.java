package io.paxlog.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays records in log order into a server's durable state (docs/protocol.md#durable-state): the
 * latest promise, and per slot the latest entry unless the slot was finalized.
 *
 * <p>It also checks, on the way back in, the rules the writer and the core keep on the way out, and
 * refuses a log that breaks them: {@code promised} never decreases; an entry's epoch is at most the
 * promise before it; a finalize mark follows an entry for its slot; a finalized slot keeps its command.
 *
 * <p>Records for slots at or below {@code floor} (the slot of the snapshot recovery starts from) are
 * ignored, finalize marks included: those slots are finalized and live in the snapshot, and their
 * entries may have gone with a deleted segment while a later segment still holds a mark for them.
 *
 * <p>Thread: confined to the recovering thread.
 */
final class DurableStateBuilder {

    private final long floor;

    /** A builder ignoring slots at or below {@code floor} (0: none). */
    DurableStateBuilder(long floor) {
        if (floor < 0) {
            throw new AssertionError("snapshot slot must be >= 0, was " + floor);
        }
        this.floor = floor;
    }

    DurableStateBuilder() {
        this(0);
    }

    private Epoch promised = Epoch.ZERO;
    private final Map<Long, SlotState> entries = new HashMap<>();
    private Epoch lastEpoch = Epoch.ZERO; // shared instance for runs of equal epochs, to save memory

    /**
     * Applies one record found at {@code offset} of {@code file}.
     *
     * @throws WalCorruptedException when the record breaks a rule of the log
     */
    void apply(WalRecord record, String file, long offset) {
        if (record.slot() > 0 && record.slot() <= floor && !(record instanceof WalRecord.SnapshotMarker)) {
            return; // covered by the snapshot
        }
        if (record instanceof WalRecord.Promise p) {
            if (p.promised().isBelow(promised)) {
                throw damaged(file, offset, "promise went down from " + promised + " to " + p.promised());
            }
            promised = p.promised();
        } else if (record instanceof WalRecord.Entry e) {
            applyEntry(e.stored(), file, offset);
        } else if (record instanceof WalRecord.Finalize f) {
            SlotState current = entries.get(f.slot());
            if (current == null) {
                throw damaged(file, offset, "finalize mark for slot " + f.slot() + ", which holds no entry");
            }
            if (!current.finalized()) {
                entries.put(f.slot(), new SlotState(f.slot(), current.acceptedEpoch(), current.command(), true));
            }
        } else if (record instanceof WalRecord.SnapshotMarker s) {
            throw new WalCorruptedException(file, offset, "snapshot marker for slot " + s.slot()
                    + ": this build never writes snapshot markers (snapshots are files of their own)", WalCorruptedException.Advice.VERSION);
        } else {
            throw new AssertionError("unhandled record " + record);
        }
    }

    private void applyEntry(StoredEntry stored, String file, long offset) {
        if (stored.epoch().isAbove(promised)) {
            throw damaged(file, offset, "entry for slot " + stored.slot() + " at epoch " + stored.epoch()
                    + " above the promise " + promised);
        }
        SlotState current = entries.get(stored.slot());
        if (current != null && current.finalized()) {
            // A chosen slot never changes (docs/protocol.md#a-finalized-slot-never-changes); the only
            // correct re-store repeats it.
            if (!current.command().equals(stored.command())) {
                throw damaged(file, offset, "slot " + stored.slot() + " is finalized with " + current.command()
                        + " but a later entry holds " + stored.command());
            }
            return;
        }
        if (!stored.epoch().equals(lastEpoch)) {
            lastEpoch = stored.epoch();
        }
        entries.put(stored.slot(), new SlotState(stored.slot(), lastEpoch, stored.command(), false));
    }

    Epoch promised() {
        return promised;
    }

    RecoveredState build() {
        List<SlotState> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(SlotState::slot));
        return new RecoveredState(promised, sorted);
    }

    private static WalCorruptedException damaged(String file, long offset, String problem) {
        return new WalCorruptedException(file, offset, problem, WalCorruptedException.Advice.DAMAGE);
    }
}
