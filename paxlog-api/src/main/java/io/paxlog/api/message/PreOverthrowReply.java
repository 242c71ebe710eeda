package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The answer to a {@link PreOverthrow} at {@code epoch}: whether this server would promise it now. It
 * grants only when it does not lead, heard from no live leader within the minimum election timeout,
 * and would accept {@code overthrow(epoch)} (the epoch is not below its promise).
 *
 * <p>A grant promises nothing: the server may promise a different epoch, or hear from a leader, a
 * moment later. Like every reply it carries the server's {@code promised}, so the asker learns of
 * higher epochs.
 */
public record PreOverthrowReply(Epoch epoch, Epoch promised, boolean granted) implements Message {

    public PreOverthrowReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        if (granted && epoch.isBelow(promised)) {
            throw new IllegalArgumentException("a pre-vote for " + epoch + " cannot be granted at promise " + promised);
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.PRE_OVERTHROW_REPLY;
    }

    @Override
    public String toString() {
        return "preOverthrowReply(" + epoch + ", promised=" + promised + (granted ? ", granted" : ", declined") + ")";
    }
}
