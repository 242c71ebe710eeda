package io.paxlog.api.storage;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import java.util.List;

/**
 * What a server finds on disk when it starts: its promise and every entry that was durable, in slot
 * order, with the finalize marks that were durable.
 */
public record RecoveredState(Epoch promised, List<SlotState> entries) {

    public static final RecoveredState EMPTY = new RecoveredState(Epoch.ZERO, List.of());

    public RecoveredState {
        if (promised == null) {
            throw new IllegalArgumentException("recovered state needs a promised epoch (Epoch.ZERO if none)");
        }
        entries = List.copyOf(entries);
        long previous = 0;
        for (SlotState entry : entries) {
            if (entry.slot() <= previous) {
                throw new IllegalArgumentException("recovered entries must be in increasing slot order");
            }
            previous = entry.slot();
        }
    }
}
