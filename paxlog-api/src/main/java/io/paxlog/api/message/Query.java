package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * {@code query()}: asks for the server's first unfinalized slot. The leader sends it to every follower
 * on each heartbeat, so it doubles as the heartbeat and drives catch-up.
 */
public record Query(Epoch epoch) implements Message {

    public Query {
        Messages.requireEpoch(epoch);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.QUERY;
    }

    @Override
    public String toString() {
        return "query(" + epoch + ")";
    }
}
