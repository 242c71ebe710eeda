package io.paxlog.core.runtime;

import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.MembershipChange;
import io.paxlog.core.Refusal;

/**
 * Delivers answers to the clients of one server. Called on the loop's thread; must not block.
 */
public interface Responder {

    /** The command of request {@code requestId} was chosen at {@code slot} and applied. */
    void applied(long requestId, long slot, ExactlyOnce.Outcome outcome);

    /**
     * The membership change of request {@code requestId} was chosen at {@code slot} and applied by the
     * core: {@code result} says whether it changed the membership (and to what) or why not.
     */
    void changed(long requestId, long slot, MembershipChange.Result result);

    /** The command (or read) was not taken; see {@link Refusal}. */
    void refused(Refusal refusal);

    /**
     * The read of request {@code requestId} may be answered now from the state machine, whose state is
     * that after {@code appliedSlot} (read-index confirmed it is current). Called on the loop's thread,
     * which owns the state machine.
     */
    void readReady(long requestId, long appliedSlot);
}
