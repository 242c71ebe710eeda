package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/** {@code store(e, slot, command)} for a batch of slots, each handled on its own. */
public record Store(Epoch epoch, List<SlotCommand> entries) implements Message {

    public Store {
        Messages.requireEpoch(epoch);
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("store needs at least one entry");
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.STORE;
    }

    @Override
    public int sizeBytes() {
        int bytes = 32;
        for (SlotCommand entry : entries) {
            bytes += 8 + entry.command().sizeBytes();
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "store(" + epoch + ", " + entries + ")";
    }
}
