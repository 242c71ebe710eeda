package io.paxlog.transport;

import io.paxlog.transport.frame.FrameFormat;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Who this server is in its cluster, where it listens for peers, where the peers are, and the limits.
 *
 * @param clusterId every frame carries this cluster's tag; frames of another cluster are refused
 * @param selfId this server's id (>= 1)
 * @param listen the address to bind for peers; port 0 picks a free port ({@link PeerNetwork#listenAddress()})
 * @param peers every other server of the cluster, by id; never this server itself
 * @param limits the limits and timeouts, {@link Limits#DEFAULTS} unless tuned
 */
public record PeerNetworkConfig(
        String clusterId, int selfId, InetSocketAddress listen, Map<Integer, InetSocketAddress> peers, Limits limits) {

    public PeerNetworkConfig {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("cluster id must not be blank");
        }
        if (selfId < 1) {
            throw new IllegalArgumentException("server ids start at 1, this server's was " + selfId);
        }
        if (listen == null) {
            throw new IllegalArgumentException("peer listen address must be set");
        }
        peers = Map.copyOf(peers);
        if (peers.containsKey(selfId)) {
            throw new IllegalArgumentException("peers must not include this server itself (" + selfId + ")");
        }
        for (Map.Entry<Integer, InetSocketAddress> peer : peers.entrySet()) {
            if (peer.getKey() < 1) {
                throw new IllegalArgumentException("server ids start at 1, a peer's was " + peer.getKey());
            }
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must be set (Limits.DEFAULTS for the defaults)");
        }
    }

    public static PeerNetworkConfig of(
            String clusterId, int selfId, InetSocketAddress listen, Map<Integer, InetSocketAddress> peers) {
        return new PeerNetworkConfig(clusterId, selfId, listen, peers, Limits.DEFAULTS);
    }

    /**
     * What each server may tune for itself; the peers of one cluster should agree on
     * {@code readIdleTimeout}, since each side pings at a third of its own.
     *
     * @param frameBytesMax the largest frame body sent or accepted; must exceed the core's largest message
     * @param queueBytesMax bytes sent to one peer and not yet written to its socket; messages beyond are dropped
     * @param connectTimeout one connection attempt
     * @param reconnectBackoffMin the wait before the first retry after a failed or lost connection
     * @param reconnectBackoffMax the cap of the doubling wait between retries (each wait is jittered
     *     between half and all of it, so restarted servers do not retry in lockstep)
     * @param readIdleTimeout a connection on which no whole frame arrives for this long is closed: a dead
     *     peer, a stuck one, or a slow sender; idle connections ping every third of it
     * @param handshakeTimeout the time a new connection has to introduce itself
     */
    public record Limits(
            int frameBytesMax,
            long queueBytesMax,
            Duration connectTimeout,
            Duration reconnectBackoffMin,
            Duration reconnectBackoffMax,
            Duration readIdleTimeout,
            Duration handshakeTimeout) {

        public static final Limits DEFAULTS = new Limits(
                FrameFormat.FRAME_BYTES_MAX_DEFAULT,
                64L << 20,
                Duration.ofSeconds(3),
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5));

        public Limits {
            if (frameBytesMax < 1024) {
                throw new IllegalArgumentException("frameBytesMax must be >= 1024, was " + frameBytesMax);
            }
            if (queueBytesMax < frameBytesMax) {
                throw new IllegalArgumentException("queueBytesMax (" + queueBytesMax
                        + ") must hold at least one frame of frameBytesMax (" + frameBytesMax + ")");
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(reconnectBackoffMin, "reconnectBackoffMin");
            requirePositive(reconnectBackoffMax, "reconnectBackoffMax");
            requirePositive(readIdleTimeout, "readIdleTimeout");
            requirePositive(handshakeTimeout, "handshakeTimeout");
            if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
                throw new IllegalArgumentException("reconnectBackoffMax (" + reconnectBackoffMax
                        + ") must not be below reconnectBackoffMin (" + reconnectBackoffMin + ")");
            }
        }

        private static void requirePositive(Duration duration, String name) {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + duration);
            }
        }
    }
}
