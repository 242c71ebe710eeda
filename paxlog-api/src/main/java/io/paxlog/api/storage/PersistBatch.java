package io.paxlog.api.storage;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * One durable write the core asks for: applied in order, first the new {@code promised} (if any),
 * then the stored entries, then the finalize marks.
 *
 * <p>Batch ids increase by one from 1 for each server start; storage reports them durable in order.
 * Rule D hangs on this: the core releases a reply that depends on a batch only after storage said
 * that batch is durable.
 *
 * @param id             sequence number of this batch, contiguous from 1 within one server run
 * @param promised       the new promised epoch, or null when it did not change
 * @param entries        commands accepted for slots, later ones replacing earlier ones for a slot
 * @param finalizedSlots slots now known to be chosen; losing these marks is safe (the leader re-sends)
 */
public record PersistBatch(long id, Epoch promised, List<StoredEntry> entries, List<Long> finalizedSlots) {

    public PersistBatch {
        if (id < 1) {
            throw new IllegalArgumentException("persist batch ids start at 1, was " + id);
        }
        entries = List.copyOf(entries);
        finalizedSlots = List.copyOf(finalizedSlots);
    }

    public boolean isEmpty() {
        return promised == null && entries.isEmpty() && finalizedSlots.isEmpty();
    }
}
