package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/** The answer to a {@link Query}: the lowest slot this server has not finalized. */
public record QueryReply(Epoch epoch, Epoch promised, long firstUnfinalizedSlot) implements Message {

    public QueryReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        Messages.requireSlot(firstUnfinalizedSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.QUERY_REPLY;
    }

    @Override
    public String toString() {
        return "queryReply(" + epoch + ", promised=" + promised + ", firstUnfinalized=" + firstUnfinalizedSlot + ")";
    }
}
