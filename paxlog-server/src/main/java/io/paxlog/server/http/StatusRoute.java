package io.paxlog.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.server.ServerStatus;
import java.util.Collection;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * {@code GET /v1/status}: this server's view of itself and its peers, from the status its loop thread
 * last published (a few milliseconds old at most) and the peer network's connections.
 *
 * <pre>{@code
 * {"clusterId": "demo", "serverId": 1, "role": "leader", "epoch": {"round": 3, "serverId": 1}, "leader": 1,
 *  "lastUsedSlot": 42, "firstUnfinalizedSlot": 43, "appliedSlot": 42, "snapshotSlot": 0,
 *  "peers": [{"id": 2, "reachable": true, "firstUnfinalizedSlot": 43, "lag": 0}, ...]}
 * }</pre>
 * A peer's {@code firstUnfinalizedSlot} and {@code lag} are known only to the leader (null elsewhere);
 * {@code lag} is how many slots the peer's first unfinalized slot is behind the leader's.
 */
final class StatusRoute {

    private final int selfId;
    private final String clusterId;
    private final Collection<Integer> serverIds;
    private final Supplier<ServerStatus> status;
    private final IntPredicate peerConnected;

    /** @param clusterId the cluster's id, reported so a client refused for another id can be told which it is */
    StatusRoute(int selfId, String clusterId, Collection<Integer> serverIds, Supplier<ServerStatus> status,
            IntPredicate peerConnected) {
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.serverIds = serverIds;
        this.status = status;
        this.peerConnected = peerConnected;
    }

    HttpReply reply() {
        ServerStatus now = status.get();
        ObjectNode body = HttpReply.object().put("clusterId", clusterId).put("serverId", now.serverId())
                .put("role", now.role().name().toLowerCase(Locale.ROOT));
        body.putObject("epoch").put("round", now.promised().round()).put("serverId", now.promised().serverId());
        body.put("leader", now.leaderHint()).put("lastUsedSlot", now.lastUsedSlot())
                .put("firstUnfinalizedSlot", now.firstUnfinalizedSlot()).put("appliedSlot", now.appliedSlot())
                .put("snapshotSlot", now.snapshotSlot());
        ArrayNode peers = body.putArray("peers");
        for (int id : serverIds.stream().sorted().toList()) {
            if (id == selfId) {
                continue;
            }
            ObjectNode peer = peers.addObject().put("id", id).put("reachable", peerConnected.test(id));
            Long theirs = now.peerFirstUnfinalizedSlots().get(id);
            if (theirs == null) {
                peer.putNull("firstUnfinalizedSlot").putNull("lag");
            } else {
                peer.put("firstUnfinalizedSlot", theirs).put("lag", Math.max(0, now.firstUnfinalizedSlot() - theirs));
            }
        }
        return HttpReply.json(200, body);
    }
}
