package io.paxlog.core.runtime;

import io.paxlog.api.Epoch;
import io.paxlog.core.Membership;
import io.paxlog.core.Replica;
import io.paxlog.core.Role;
import java.util.Map;

/**
 * What a {@link Node} says about itself after a step: for status pages, logs, metrics and tests. An
 * immutable copy, safe to hand to other threads.
 *
 * @param leaderHint                the server believed to lead, itself when leading, 0 when unknown
 * @param appliedSlot               the highest slot applied to the state machine
 * @param lastUsedSlot              the highest slot this server holds anything for
 * @param snapshotSlot              every slot up to this one is compacted into a snapshot (0 when none)
 * @param peerFirstUnfinalizedSlots while leading, each other server's first unfinalized slot as it last
 *                                  reported it (a lower bound), by id; empty when not leading
 * @param waiting                   client commands and reads handed to the core and not yet answered
 * @param membership                the membership after the applied slot, with its version: what the next
 *                                  change must name (docs/membership.md)
 */
public record NodeStatus(int serverId, Role role, Epoch promised, int leaderHint, long appliedSlot,
        long firstUnfinalizedSlot, long lastUsedSlot, long snapshotSlot, Map<Integer, Long> peerFirstUnfinalizedSlots,
        int waiting, Membership membership) {

    public NodeStatus {
        peerFirstUnfinalizedSlots = Map.copyOf(peerFirstUnfinalizedSlots);
    }

    static NodeStatus of(Replica replica, int waiting) {
        return new NodeStatus(replica.selfId(), replica.role(), replica.promised(), replica.leaderHint(),
                replica.appliedSlot(), replica.firstUnfinalizedSlot(), replica.lastUsedSlot(), replica.snapshotSlot(),
                replica.peerFirstUnfinalizedSlots(), waiting, replica.membership());
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
