package io.paxlog.transport.client;

import io.paxlog.transport.frame.FrameFormat;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One client connection to one server.
 *
 * @param clusterId the cluster the server must belong to (a server of another cluster closes the
 *     connection at the first frame)
 * @param server the server's client address
 * @param frameBytesMax the largest answer body accepted, and the largest call body sent
 * @param connectTimeout how long to try to open the connection
 * @param pingInterval an idle connection sends a ping this often, to stay within the server's read
 *     idle timeout (keep it well below)
 */
public record ClientConnectionConfig(
        String clusterId, InetSocketAddress server, int frameBytesMax, Duration connectTimeout, Duration pingInterval) {

    public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(3);
    public static final Duration PING_INTERVAL_DEFAULT = Duration.ofSeconds(10);

    public ClientConnectionConfig {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("cluster id must not be blank");
        }
        if (server == null) {
            throw new IllegalArgumentException("server address must be set");
        }
        if (frameBytesMax < 1024) {
            throw new IllegalArgumentException("frameBytesMax must be >= 1024, was " + frameBytesMax);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(pingInterval, "pingInterval");
    }

    public static ClientConnectionConfig defaults(String clusterId, InetSocketAddress server) {
        return new ClientConnectionConfig(
                clusterId, server, FrameFormat.FRAME_BYTES_MAX_DEFAULT, CONNECT_TIMEOUT_DEFAULT, PING_INTERVAL_DEFAULT);
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }
}
