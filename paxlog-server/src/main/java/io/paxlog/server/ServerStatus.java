package io.paxlog.server;

import io.paxlog.api.Epoch;
import io.paxlog.core.Role;

/**
 * What a server's loop thread last published about itself: for status pages, logs and tests. A copy
 * taken at the end of a loop iteration; it may be a few milliseconds old when read.
 *
 * @param leaderHint            the server believed to lead, itself when leading, 0 when unknown
 * @param appliedSlot           the highest slot applied to the state machine
 * @param peerMessagesDropped   peer messages dropped because the loop's queue was full
 * @param clientCallsBusy       client calls answered BUSY because the loop's queue was full
 */
public record ServerStatus(int serverId, Role role, Epoch promised, int leaderHint, long appliedSlot,
        long firstUnfinalizedSlot, long peerMessagesDropped, long clientCallsBusy) {

    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
