package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The server promised {@code epoch} (durably) and holds no entry above {@code lastUsedSlot}
 * (0 when it holds none).
 *
 * @param snapshotSlot every slot up to this one is chosen and compacted into the server's snapshot (0
 *     when it has none): it can no longer report their commands, only hand over the snapshot
 */
public record OverthrowOk(Epoch epoch, long lastUsedSlot, long snapshotSlot) implements Message {

    public OverthrowOk {
        Messages.requireEpoch(epoch);
        Messages.requireSlotOrZero(lastUsedSlot);
        Messages.requireSlotOrZero(snapshotSlot);
        if (snapshotSlot > lastUsedSlot) {
            throw new IllegalArgumentException("snapshot slot " + snapshotSlot + " above last used slot " + lastUsedSlot);
        }
    }

    public OverthrowOk(Epoch epoch, long lastUsedSlot) {
        this(epoch, lastUsedSlot, 0);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.OVERTHROW_OK;
    }

    @Override
    public String toString() {
        return "overthrowOk(" + epoch + ", lastUsed=" + lastUsedSlot
                + (snapshotSlot > 0 ? ", snapshot=" + snapshotSlot : "") + ")";
    }
}
