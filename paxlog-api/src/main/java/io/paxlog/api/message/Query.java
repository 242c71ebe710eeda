package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * {@code query()}: asks for the server's first unfinalized slot. The leader sends it to every follower
 * on each heartbeat, so it doubles as the heartbeat and drives catch-up.
 */
/*
 * round: the leader's numbering of its query rounds, echoed in the reply. A read-index read waits for a
 * majority to answer a round sent after the read arrived: proof that the leader still led then.
 */
public record Query(Epoch epoch, long round) implements Message {

    public Query {
        Messages.requireEpoch(epoch);
        if (round < 0) {
            throw new IllegalArgumentException("query round must be >= 0, was " + round);
        }
    }

    public Query(Epoch epoch) {
        this(epoch, 0);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.QUERY;
    }

    @Override
    public String toString() {
        return "query(" + epoch + (round > 0 ? ", round " + round : "") + ")";
    }
}
