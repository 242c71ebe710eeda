package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * The pre-vote: a server that heard from no leader for its election timeout asks whether the others
 * would promise {@code epoch} if it sent {@code overthrow(epoch)}, before it raises any epoch.
 *
 * <p>It changes no state anywhere: nobody promises anything, resets a timer or steps down on it, so it
 * is not subject to Rule D and nothing of it is written. It carries no log position: a Paxos takeover
 * reads what earlier leaders may have chosen from a majority, so a leader that is behind is safe, and
 * any server may be let in (docs/prevote.md).
 *
 * @param epoch the epoch the sender would overthrow with; nobody promised it on account of this message
 */
public record PreOverthrow(Epoch epoch) implements Message {

    public PreOverthrow {
        Messages.requireEpoch(epoch);
    }

    @Override
    public MessageKind kind() {
        return MessageKind.PRE_OVERTHROW;
    }

    @Override
    public String toString() {
        return "preOverthrow(" + epoch + ")";
    }
}
