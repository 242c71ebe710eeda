package io.paxlog.core;

import io.paxlog.api.Command;

/**
 * A finalized command to apply now, in slot order. {@code requestId} names the local client request
 * waiting for its result, or is 0 when nobody here waits for it.
 *
 * <p>{@code change} is set for a membership change, which the core applied itself
 * ({@link MembershipHistory}): the runtime hands it to no state machine and answers the waiting
 * operator with it. Null for every other command.
 */
public record Apply(long slot, Command command, long requestId, MembershipChange.Result change) {

    public Apply(long slot, Command command, long requestId) {
        this(slot, command, requestId, null);
    }
}
