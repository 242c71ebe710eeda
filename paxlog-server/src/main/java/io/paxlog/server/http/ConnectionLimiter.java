package io.paxlog.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts open connections per client address. A connection beyond the limit is marked, and
 * {@link ApiHandler} answers its first request 429 and closes it (so the client learns why, in HTTP).
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("paxlog.http.overLimit");

    private final int connectionsPerAddressMax;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ConnectionLimiter(int connectionsPerAddressMax) {
        this.connectionsPerAddressMax = connectionsPerAddressMax;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = address(ctx.channel().remoteAddress());
        if (address != null) {
            int count = open.merge(address, 1, Integer::sum);
            if (count > connectionsPerAddressMax) {
                ctx.channel().attr(OVER_LIMIT).set(Boolean.TRUE);
            }
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = address(ctx.channel().remoteAddress());
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
        }
        super.channelInactive(ctx);
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
