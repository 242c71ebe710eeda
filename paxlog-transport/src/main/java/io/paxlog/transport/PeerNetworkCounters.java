package io.paxlog.transport;

/**
 * A snapshot of a {@link PeerNetwork}'s counters, for metrics. Every count is since start.
 *
 * @param framesIn message frames received from peers (not pings or handshakes)
 * @param framesOut message frames written to peers' sockets
 * @param flushes flushes of the outbound connections, each at most one write syscall's worth of
 *     frames; {@code framesOut / flushes} is how many messages leave per flush
 * @param bytesIn bytes of the frames counted in {@code framesIn}
 * @param bytesOut bytes of the frames counted in {@code framesOut}
 * @param dropped messages given to {@code send} that never reached a socket: no connection, queue
 *     full, too large, or the connection failed under them
 * @param reconnects connections to a peer made after an earlier one to it was lost
 * @param connectedPeers peers with an open outbound connection now
 */
public record PeerNetworkCounters(
        long framesIn, long framesOut, long flushes, long bytesIn, long bytesOut, long dropped, long reconnects,
        int connectedPeers) {}
