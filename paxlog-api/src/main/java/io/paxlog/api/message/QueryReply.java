package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/** The answer to a {@link Query}: the lowest slot this server has not finalized. */
public record QueryReply(Epoch epoch, Epoch promised, long firstUnfinalizedSlot, long round) implements Message {

    public QueryReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        Messages.requireSlot(firstUnfinalizedSlot);
        if (round < 0) {
            throw new IllegalArgumentException("query round must be >= 0, was " + round);
        }
    }

    /** The answer to a query with {@code round} 0 (a heartbeat that confirms no read). */
    public QueryReply(Epoch epoch, Epoch promised, long firstUnfinalizedSlot) {
        this(epoch, promised, firstUnfinalizedSlot, 0);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.QUERY_REPLY;
    }

    @Override
    public String toString() {
        return "queryReply(" + epoch + ", promised=" + promised + ", firstUnfinalized=" + firstUnfinalizedSlot
                + (round > 0 ? ", round " + round : "") + ")";
    }
}
