package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The server refused a request at {@code epoch} because it has promised the higher {@code promised}.
 * A leader or candidate that receives it becomes passive at once.
 */
public record Rejected(Epoch epoch, Epoch promised, MessageKind request) implements Message {

    public Rejected {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        if (request == null) {
            throw new IllegalArgumentException("rejected needs the request kind");
        }
        if (!promised.isAbove(epoch)) {
            throw new IllegalArgumentException(
                    "a rejection must carry a promise above the request epoch: " + promised + " <= " + epoch);
        }
    }

    @Override
    public MessageKind kind() {
        return MessageKind.REJECTED;
    }

    @Override
    public String toString() {
        return "rejected(" + request + " at " + epoch + ", promised=" + promised + ")";
    }
}
