package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * The answer to a {@link Read}: every non-empty slot of {@code fromSlot..toSlot} the server holds
 * (a slot absent from {@code slots} is empty there).
 */
public record ReadReply(Epoch epoch, Epoch promised, long fromSlot, long toSlot, List<SlotState> slots)
        implements Message {

    public ReadReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        Messages.requireSlot(fromSlot);
        if (toSlot < fromSlot) {
            throw new IllegalArgumentException("read range is empty: " + fromSlot + ".." + toSlot);
        }
        slots = List.copyOf(slots);
        for (SlotState state : slots) {
            if (state.slot() < fromSlot || state.slot() > toSlot) {
                throw new IllegalArgumentException("slot " + state.slot() + " outside " + fromSlot + ".." + toSlot);
            }
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.READ_REPLY;
    }

    @Override
    public int sizeBytes() {
        int bytes = 48;
        for (SlotState state : slots) {
            bytes += 32 + state.command().sizeBytes();
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "readReply(" + epoch + ", promised=" + promised + ", " + fromSlot + ".." + toSlot + ", " + slots + ")";
    }
}
