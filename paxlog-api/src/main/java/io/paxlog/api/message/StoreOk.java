package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/** The server durably stored these slots at {@code epoch} (or holds them finalized). */
public record StoreOk(Epoch epoch, List<Long> slots) implements Message {

    public StoreOk {
        Messages.requireEpoch(epoch);
        slots = List.copyOf(slots);
        slots.forEach(Messages::requireSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.STORE_OK;
    }

    @Override
    public int sizeBytes() {
        return 32 + 8 * slots.size();
    }

    @Override
    public String toString() {
        return "storeOk(" + epoch + ", " + slots + ")";
    }
}
