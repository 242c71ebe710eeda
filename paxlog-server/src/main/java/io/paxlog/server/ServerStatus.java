package io.paxlog.server;

import io.paxlog.api.Epoch;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.NodeStatus;
import java.util.Map;

/**
 * What a server's loop thread last published about itself: for status pages, logs and tests. A copy
 * taken at the end of a loop iteration; it may be a few milliseconds old when read.
 *
 * @param leaderHint            the server believed to lead, itself when leading, 0 when unknown
 * @param appliedSlot           the highest slot applied to the state machine
 * @param lastUsedSlot          the highest slot this server holds anything for
 * @param snapshotSlot          every slot up to this one is compacted into a snapshot (0 when none)
 * @param peerFirstUnfinalizedSlots while leading, each other server's first unfinalized slot as it last
 *                              reported it (a lower bound), by id; empty when not leading
 * @param peerMessagesDropped   peer messages dropped because the loop's queue was full
 * @param clientCallsBusy       client calls answered BUSY because the loop's queue was full
 */
public record ServerStatus(int serverId, Role role, Epoch promised, int leaderHint, long appliedSlot,
        long firstUnfinalizedSlot, long lastUsedSlot, long snapshotSlot, Map<Integer, Long> peerFirstUnfinalizedSlots,
        long peerMessagesDropped, long clientCallsBusy) {

    public ServerStatus {
        peerFirstUnfinalizedSlots = Map.copyOf(peerFirstUnfinalizedSlots);
    }

    /** The node's status with the shell's queue counters. */
    public static ServerStatus of(NodeStatus node, long peerMessagesDropped, long clientCallsBusy) {
        return new ServerStatus(node.serverId(), node.role(), node.promised(), node.leaderHint(), node.appliedSlot(),
                node.firstUnfinalizedSlot(), node.lastUsedSlot(), node.snapshotSlot(), node.peerFirstUnfinalizedSlots(),
                peerMessagesDropped, clientCallsBusy);
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
