package io.paxlog.core;

import java.util.List;

/**
 * What one replica needs to know: who it is, who the cluster is, its timing and its limits.
 *
 * <p>Times are in milliseconds of whatever clock the runtime passes to {@link Replica#tick}. Every
 * limit bounds memory or message size; defaults suit a 5-server cluster on a LAN.
 *
 * @param selfId               this server's id, positive; a server outside {@code members} is one to be
 *                             added as a learner (docs/membership.md)
 * @param members              the seed membership's voters: the cluster as first started, the same on
 *                             every server (later changes go through the log); ids are positive and distinct
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
 * @param reconfig             membership changes: alpha for the seed, and how close a learner must be
 *                             to be promoted (docs/membership.md)
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
        int snapshotChunkBytesMax,
        Reconfig reconfig) {

    public static final int SNAPSHOT_CHUNK_BYTES_DEFAULT = 512 * 1024;

    /**
     * @param alpha           a change chosen at slot s governs slots from s + alpha: the seed's, and so
     *                        the cluster's, since it must be the same on every server
     * @param promoteLagMax   a learner is promoted only when its first unfinalized slot is within this
     *                        many slots of the leader's
     */
    public record Reconfig(int alpha, long promoteLagMax) {
        public static final Reconfig DEFAULT = new Reconfig(256, 1024);

        public Reconfig {
            if (alpha < 1) {
                throw new IllegalArgumentException("alpha must be at least 1, was " + alpha);
            }
            if (promoteLagMax < 0) {
                throw new IllegalArgumentException("promoteLagMax must be >= 0, was " + promoteLagMax);
            }
        }
    }

    /** The pre-membership-change constructor: the default {@link Reconfig}. */
    public ReplicaConfig(int selfId, List<Integer> members, long electionTimeoutMinMs, long electionTimeoutMaxMs,
            long heartbeatIntervalMs, int inflightSlotsMax, int storeBatchSlotsMax, int storeBatchBytesMax,
            int readSlotsMax, int catchUpSlotsMax, int pendingCommandsMax, int snapshotChunkBytesMax) {
        this(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs, inflightSlotsMax,
                storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax, pendingCommandsMax,
                snapshotChunkBytesMax, Reconfig.DEFAULT);
    }

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
        if (selfId <= 0) {
            // A server outside the seed (a learner to be added) is fine: the seed only starts the log.
            throw new IllegalArgumentException("server ids must be positive, was " + selfId);
        }
        java.util.Objects.requireNonNull(reconfig, "reconfig");
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
                pendingCommandsMax, snapshotChunkBytesMax, reconfig);
    }

    public ReplicaConfig withLimits(int inflightSlotsMax, int storeBatchSlotsMax, int storeBatchBytesMax,
            int readSlotsMax, int catchUpSlotsMax, int pendingCommandsMax) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax, reconfig);
    }

    public ReplicaConfig withSnapshotChunkBytes(int snapshotChunkBytesMax) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax, reconfig);
    }

    public ReplicaConfig forServer(int id) {
        return new ReplicaConfig(id, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax, reconfig);
    }

    public ReplicaConfig withReconfig(Reconfig reconfig) {
        return new ReplicaConfig(selfId, members, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax, catchUpSlotsMax,
                pendingCommandsMax, snapshotChunkBytesMax, reconfig);
    }

    /** The first membership of the log: every listed member a voter. */
    public Membership seedMembership() {
        return Membership.seed(members, reconfig.alpha());
    }

    /** A majority of the seed membership: {@code n/2 + 1}. */
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
