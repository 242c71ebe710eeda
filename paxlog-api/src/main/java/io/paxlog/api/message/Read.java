package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/** {@code read(slot)} for the slots {@code fromSlot..toSlot} inclusive, by the leader of {@code epoch}. */
public record Read(Epoch epoch, long fromSlot, long toSlot) implements Message {

    public Read {
        Messages.requireEpoch(epoch);
        Messages.requireSlot(fromSlot);
        if (toSlot < fromSlot) {
            throw new IllegalArgumentException("read range is empty: " + fromSlot + ".." + toSlot);
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.READ;
    }

    @Override
    public String toString() {
        return "read(" + epoch + ", " + fromSlot + ".." + toSlot + ")";
    }
}
