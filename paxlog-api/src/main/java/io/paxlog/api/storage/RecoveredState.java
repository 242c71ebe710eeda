package io.paxlog.api.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import java.util.List;

/**
 * What a server finds on disk when it starts: its promise, its newest snapshot (null when none), and
 * every entry above the snapshot's slot that was durable, in slot order, with the finalize marks that
 * were durable.
 */
public record RecoveredState(Epoch promised, List<SlotState> entries, Snapshot snapshot) {

    public static final RecoveredState EMPTY = new RecoveredState(Epoch.ZERO, List.of());

    public RecoveredState(Epoch promised, List<SlotState> entries) {
        this(promised, entries, null);
    }

    public RecoveredState {
        if (promised == null) {
            throw new IllegalArgumentException("recovered state needs a promised epoch (Epoch.ZERO if none)");
        }
        entries = List.copyOf(entries);
        long previous = snapshot == null ? 0 : snapshot.slot();
        for (SlotState entry : entries) {
            if (entry.slot() <= previous) {
                throw new IllegalArgumentException("recovered entries must be in increasing slot order, above the snapshot");
            }
            previous = entry.slot();
        }
    }
}
