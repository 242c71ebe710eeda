package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The server promised {@code epoch} (durably) and holds no entry above {@code lastUsedSlot}
 * (0 when it holds none).
 */
public record OverthrowOk(Epoch epoch, long lastUsedSlot) implements Message {

    public OverthrowOk {
        Messages.requireEpoch(epoch);
        Messages.requireSlotOrZero(lastUsedSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.OVERTHROW_OK;
    }

    @Override
    public String toString() {
        return "overthrowOk(" + epoch + ", lastUsed=" + lastUsedSlot + ")";
    }
}
