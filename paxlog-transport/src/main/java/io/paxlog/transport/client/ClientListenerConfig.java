package io.paxlog.transport.client;

import io.paxlog.transport.frame.FrameFormat;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where a server listens for clients, and the limits it holds them to.
 *
 * @param clusterId every frame must carry this cluster's tag
 * @param serverId the id this server puts in its answers' frames
 * @param listen the address to bind; port 0 picks a free port ({@link ClientListener#listenAddress()})
 * @param frameBytesMax the largest call body accepted; a larger one closes the connection
 * @param answerQueueBytesMax answers waiting to be sent to one client; beyond it the client (which is
 *     not reading) is disconnected
 * @param readIdleTimeout a connection that delivers no whole frame for this long is closed (idle
 *     clients ping well within it)
 */
public record ClientListenerConfig(
        String clusterId,
        int serverId,
        InetSocketAddress listen,
        int frameBytesMax,
        long answerQueueBytesMax,
        Duration readIdleTimeout) {

    public static final long ANSWER_QUEUE_BYTES_MAX_DEFAULT = 64L << 20;
    public static final Duration READ_IDLE_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

    public ClientListenerConfig {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("cluster id must not be blank");
        }
        if (serverId < 1) {
            throw new IllegalArgumentException("server id must be >= 1, was " + serverId);
        }
        if (listen == null) {
            throw new IllegalArgumentException("client listen address must be set");
        }
        if (frameBytesMax < 1024) {
            throw new IllegalArgumentException("frameBytesMax must be >= 1024, was " + frameBytesMax);
        }
        if (answerQueueBytesMax < frameBytesMax) {
            throw new IllegalArgumentException("answerQueueBytesMax (" + answerQueueBytesMax
                    + ") must hold at least one frame of frameBytesMax (" + frameBytesMax + ")");
        }
        if (readIdleTimeout == null || readIdleTimeout.isNegative() || readIdleTimeout.isZero()) {
            throw new IllegalArgumentException("readIdleTimeout must be positive, was " + readIdleTimeout);
        }
    }

    /** The defaults for everything but the identity and the address. */
    public static ClientListenerConfig defaults(String clusterId, int serverId, InetSocketAddress listen) {
        return new ClientListenerConfig(clusterId, serverId, listen, FrameFormat.FRAME_BYTES_MAX_DEFAULT,
                ANSWER_QUEUE_BYTES_MAX_DEFAULT, READ_IDLE_TIMEOUT_DEFAULT);
    }
}
