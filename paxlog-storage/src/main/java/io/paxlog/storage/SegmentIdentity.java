package io.paxlog.storage;

import java.util.regex.Pattern;

/**
 * Whose log a segment belongs to. Written in every segment header and checked on recovery, so that a
 * server never starts from another server's or another cluster's files (a wrong data directory).
 *
 * @param clusterId 1 to 64 characters from {@code [A-Za-z0-9._-]}
 * @param serverId  the server's id, positive
 */
public record SegmentIdentity(String clusterId, int serverId) {

    static final int CLUSTER_ID_BYTES_MAX = 64;
    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public SegmentIdentity {
        if (clusterId == null || !CLUSTER_ID.matcher(clusterId).matches()) {
            throw new IllegalArgumentException(
                    "cluster id must be 1 to 64 characters from [A-Za-z0-9._-], was " + clusterId);
        }
        if (serverId < 1) {
            throw new IllegalArgumentException("server id must be positive, was " + serverId);
        }
    }

    @Override
    public String toString() {
        return "cluster " + clusterId + " server " + serverId;
    }
}
