package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * The answer to a {@link Read}: every non-empty slot of {@code fromSlot..toSlot} the server holds
 * (a slot absent from {@code slots} is empty there).
 *
 * @param snapshotSlot every slot up to this one is chosen and compacted into the server's snapshot (0
 *     when it has none). Those slots are never listed: absent does not mean empty for them, and a
 *     leader reading one must fetch the snapshot instead of filling the slot with a no-op.
 */
public record ReadReply(Epoch epoch, Epoch promised, long fromSlot, long toSlot, List<SlotState> slots,
        long snapshotSlot) implements Message {

    public ReadReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        Messages.requireSlot(fromSlot);
        if (toSlot < fromSlot) {
            throw new IllegalArgumentException("read range is empty: " + fromSlot + ".." + toSlot);
        }
        slots = List.copyOf(slots);
        Messages.requireSlotOrZero(snapshotSlot);
        for (SlotState state : slots) {
            if (state.slot() <= snapshotSlot) {
                throw new IllegalArgumentException("slot " + state.slot() + " is compacted into snapshot " + snapshotSlot);
            }
            if (state.slot() < fromSlot || state.slot() > toSlot) {
                throw new IllegalArgumentException("slot " + state.slot() + " outside " + fromSlot + ".." + toSlot);
            }
        }
    }

    public ReadReply(Epoch epoch, Epoch promised, long fromSlot, long toSlot, List<SlotState> slots) {
        this(epoch, promised, fromSlot, toSlot, slots, 0);
    }

    /** Whether the server compacted part of the range read: those slots are chosen, their commands gone. */
    public boolean coversCompacted() {
        return snapshotSlot >= fromSlot;
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
        return "readReply(" + epoch + ", promised=" + promised + ", " + fromSlot + ".." + toSlot + ", " + slots
                + (snapshotSlot > 0 ? ", snapshot=" + snapshotSlot : "") + ")";
    }
}
