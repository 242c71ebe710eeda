package io.paxlog.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The simplest possible account of what a server's durable state is after some writes, written
 * independently of the log's recovery code: the latest promise, and per slot the latest entry unless
 * the slot was finalized (docs/protocol.md#durable-state).
 */
final class ReplayModel {

    private Epoch promised = Epoch.ZERO;
    private final TreeMap<Long, SlotState> slots = new TreeMap<>();

    static ReplayModel of(RecoveredState state) {
        ReplayModel model = new ReplayModel();
        model.promised = state.promised();
        for (SlotState s : state.entries()) {
            model.slots.put(s.slot(), s);
        }
        return model;
    }

    ReplayModel copy() {
        ReplayModel copy = new ReplayModel();
        copy.promised = promised;
        copy.slots.putAll(slots);
        return copy;
    }

    void apply(PersistBatch batch) {
        if (batch.promised() != null) {
            promised = Epoch.max(promised, batch.promised());
        }
        for (StoredEntry e : batch.entries()) {
            storeEntry(e);
        }
        for (long slot : batch.finalizedSlots()) {
            finalizeSlot(slot);
        }
    }

    /** Applies one logical record (the unit a torn write can cut at). */
    void apply(WalRecord record) {
        if (record instanceof WalRecord.Promise p) {
            promised = Epoch.max(promised, p.promised());
        } else if (record instanceof WalRecord.Entry e) {
            storeEntry(e.stored());
        } else if (record instanceof WalRecord.Finalize f) {
            finalizeSlot(f.slot());
        } else {
            throw new IllegalArgumentException("model does not know " + record);
        }
    }

    private void storeEntry(StoredEntry e) {
        SlotState current = slots.get(e.slot());
        if (current == null || !current.finalized()) {
            slots.put(e.slot(), new SlotState(e.slot(), e.epoch(), e.command(), false));
        }
    }

    private void finalizeSlot(long slot) {
        SlotState current = slots.get(slot);
        slots.put(slot, new SlotState(slot, current.acceptedEpoch(), current.command(), true));
    }

    Epoch promised() {
        return promised;
    }

    TreeMap<Long, SlotState> slots() {
        return slots;
    }

    RecoveredState state() {
        return new RecoveredState(promised, new ArrayList<>(slots.values()));
    }

    /** The model after each prefix of {@code records}: element r is the state after the first r records. */
    static List<RecoveredState> prefixes(RecoveredState start, List<WalRecord> records) {
        List<RecoveredState> states = new ArrayList<>(records.size() + 1);
        ReplayModel model = of(start);
        states.add(model.state());
        for (WalRecord record : records) {
            model.apply(record);
            states.add(model.state());
        }
        return states;
    }
}
