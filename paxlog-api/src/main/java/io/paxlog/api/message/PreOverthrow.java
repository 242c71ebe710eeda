package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The pre-vote: a server that heard from no leader for its election timeout asks whether the others
 * would promise {@code epoch} if it sent {@code overthrow(epoch)}, before it raises any epoch.
 *
 * <p>It changes no state anywhere: nobody promises anything, resets a timer or steps down on it, so it
 * is not subject to Rule D and nothing of it is written.
 *
 * @param epoch                the epoch the sender would overthrow with; no server has promised it
 * @param firstUnfinalizedSlot how far the sender's log reaches: it knows every slot below this chosen
 */
public record PreOverthrow(Epoch epoch, long firstUnfinalizedSlot) implements Message {

    public PreOverthrow {
        Messages.requireEpoch(epoch);
        Messages.requireSlot(firstUnfinalizedSlot);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.PRE_OVERTHROW;
    }

    @Override
    public String toString() {
        return "preOverthrow(" + epoch + ", firstUnfinalized=" + firstUnfinalizedSlot + ")";
    }
}
