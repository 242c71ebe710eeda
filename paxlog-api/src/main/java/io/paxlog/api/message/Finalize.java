package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * {@code finalize(e, slot)} for a batch of slots: mark each finalized if it already is, or if it holds
 * an entry accepted at exactly {@code e}. Never by slot alone.
 */
public record Finalize(Epoch epoch, List<Long> slots) implements Message {

    public Finalize {
        Messages.requireEpoch(epoch);
        slots = List.copyOf(slots);
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("finalize needs at least one slot");
        }
        slots.forEach(Messages::requireSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.FINALIZE;
    }

    @Override
    public int sizeBytes() {
        return 32 + 8 * slots.size();
    }

    @Override
    public String toString() {
        return "finalize(" + epoch + ", " + slots + ")";
    }
}
