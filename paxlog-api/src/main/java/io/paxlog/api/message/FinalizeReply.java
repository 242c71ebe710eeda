package io.paxlog.api.message;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * The answer to a {@link Finalize}: which slots are now finalized here and which are {@code missing}
 * (the server holds no entry accepted at that epoch), plus the server's first unfinalized slot.
 */
public record FinalizeReply(
        Epoch epoch, Epoch promised, List<Long> finalized, List<Long> missing, long firstUnfinalizedSlot)
        implements Message {

    public FinalizeReply {
        Messages.requireEpoch(epoch);
        Messages.requireEpoch(promised);
        finalized = List.copyOf(finalized);
        missing = List.copyOf(missing);
        Messages.requireSlot(firstUnfinalizedSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.FINALIZE_REPLY;
    }

    @Override
    public int sizeBytes() {
        return 48 + 8 * (finalized.size() + missing.size());
    }

    @Override
    public String toString() {
        return "finalizeReply(" + epoch + ", promised=" + promised + ", ok=" + finalized
                + ", missing=" + missing + ", firstUnfinalized=" + firstUnfinalizedSlot + ")";
    }
}
