package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/** {@code overthrow(e)}: a would-be leader asks a server to promise epoch {@code e}. */
public record Overthrow(Epoch epoch) implements Message {

    public Overthrow {
        Messages.requireEpoch(epoch);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.OVERTHROW;
    }

    @Override
    public String toString() {
        return "overthrow(" + epoch + ")";
    }
}
