package io.paxlog.core;

import java.util.List;

/**
 * What one replica needs to know: who it is, who the cluster is, its timing and its limits.
 *
 * <p>Times are in milliseconds of whatever clock the runtime passes to {@link Replica#tick}. Every
 * limit bounds memory or message size; defaults suit a 5-server cluster on a LAN.
 *
 * @param selfId               this server's id; must be one of {@code members}
 * @param members              every server's id, itself included; ids are positive and distinct
 * @param electionTimeoutMinMs a passive server waits uniformly in [min, max] without hearing a leader
 *                             before it asks, in a pre-vote, whether it may overthrow; and a server
 *                             that heard a live leader within min declines pre-votes (stickiness)
 * @param electionTimeoutMaxMs see above; also how long a leader keeps leading without hearing from a
 *                             majority
 * @param heartbeatIntervalMs  how often a leader queries followers (heartbeat, catch-up, re-sends)
 * @param inflightSlotsMax     how many slots beyond the applied slot a leader may have assigned
 * @param storeBatchSlotsMax   most slots carried by one store message
 * @param storeBatchBytesMax   most command bytes carried by one store message (one command may exceed)
 * @param readSlotsMax         most slots a new leader reads in one read round
 * @param catchUpSlotsMax      most slots a leader finalizes on a lagging follower per round
 * @param pendingCommandsMax   most client commands a leader queues while its pipeline is full
 * @param snapshotChunkBytesMax most snapshot bytes carried by one message of a snapshot transfer
 */
public record ReplicaConfig(
        int selfId,
        List<Integer> members,
        long electionTimeoutMinMs,
        long electionTimeoutMaxMs,
        long heartbeatIntervalMs,
        int inflightSlotsMax,
        int storeBatchSlotsMax,
        int storeBatchBytesMax,
        int readSlotsMax,
        int catchUpSlotsMax,
        int pendingCommandsMax,
        int snapshotChunkBytesMax) {

    public static final int SNAPSHOT_CHUNK_BYTES_DEFAULT = 512 * 1024;

    public ReplicaConfig {
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one member");
        }
        if (members.stream().anyMatch(id -> id <= 0)) {
            throw new IllegalArgumentException("server ids must be positive: " + members);
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("server ids must be distinct: " + members);
        }
        if (members.size() > 31) {
            throw new IllegalArgumentException("at most 31 servers, was " + members.size());
        }
        if (!members.contains(selfId)) {
            throw new IllegalArgumentException("server " + selfId + " is not among the members " + members);
        }
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("heartbeat interval must be positive, was " + heartbeatIntervalMs);
        }
        if (electionTimeoutMinMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("election timeout min (" + electionTimeoutMinMs
                    + " ms) must be above the heartbeat interval (" + heartbeatIntervalMs + " ms)");
        }
        if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
            throw new IllegalArgumentException("election timeout max (" + electionTimeoutMaxMs
                    + " ms) must be above its min (" + electionTimeoutMinMs + " ms) so timeouts differ");
        }
        requirePositive("inflightSlotsMax", inflightSlotsMax);
        requirePositive("storeBatchSlotsMax", storeBatchSlotsMax);
        requirePositive("storeBatchBytesMax", storeBatchBytesMax);
        requirePositive("readSlotsMax", readSlotsMax);
        requirePositive("catchUpSlotsMax", catchUpSlotsMax);
        requirePositive("pendingCommandsMax", pendingCommandsMax);
        requirePositive("snapshotChunkBytesMax", snapshotChunkBytesMax);
    }

    /** Defaults for a server on a LAN: 1-2 s election timeout, 100 ms heartbeats. */
    public static ReplicaConfig defaults(int selfId, List<Integer> members) {
        return new ReplicaConfig(selfId, members, 1000, 2000, 100, 4096, 512, 1 << 20, 512, 512, 16384,
                SNAPSHOT_CHUNK_BYTES_DEFAULT);
    }

    public ReplicaConfig withTimeouts(long electionTimeoutMinMs, long electionTimeoutMaxMs, long heartbeatIntervalMs) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax);
    }

    public ReplicaConfig withLimits(int inflightSlotsMax, int storeBatchSlotsMax, int storeBatchBytesMax,
            int readSlotsMax, int catchUpSlotsMax, int pendingCommandsMax) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax);
    }

    public ReplicaConfig withSnapshotChunkBytes(int snapshotChunkBytesMax) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax);
    }

    public ReplicaConfig forServer(int id) {
        return new ReplicaConfig(id, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax);
    }

    /** A majority of the cluster: {@code n/2 + 1}. */
    public int majority() {
        return members.size() / 2 + 1;
    }

    /** Position of a server in {@link #members}, used for bit masks; -1 when not a member. */
    public int indexOf(int serverId) {
        return members.indexOf(serverId);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
