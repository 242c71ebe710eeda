package io.paxlog.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.paxlog.server.ServerStatus;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API of one server: {@code /v1/status}, {@code /metrics}, the generic service endpoints
 * ({@link ServiceEndpoints}) and the routes of each service that brings some ({@link ServiceRoutes}, found
 * on the class path: the kv and lock routes among them), on the server's {@code http} address. Netty's
 * HTTP codec parses; {@link ApiHandler} routes by path; every command goes to the leader through a
 * {@link Forwarder}.
 *
 * <p>Limits: request bodies up to {@code httpBodyBytesMax} (a larger one is answered 413 and the
 * connection closed), request lines up to {@value #INITIAL_LINE_BYTES_MAX} bytes and headers up to
 * {@value #HEADER_BYTES_MAX} (else 400), {@code httpConnectionsPerAddressMax} connections per client
 * address (a request on one more is answered 429 and that connection closed), connections idle for
 * {@value #IDLE_SECONDS} s are closed. One request at a time per connection: reading pauses until its
 * response is written, so pipelined requests are answered in order.
 *
 * <p>Threads: one Netty event loop ({@code paxlog-http-io}); commands complete on the client's threads
 * and write their responses from there (Netty hands the write to the channel's loop).
 */
public final class HttpApi implements AutoCloseable {

    static final int INITIAL_LINE_BYTES_MAX = 8192;
    static final int HEADER_BYTES_MAX = 16384;
    static final int IDLE_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final Forwarder forwarder;

    private HttpApi(EventLoopGroup group, Channel serverChannel, ChannelGroup channels, Forwarder forwarder) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.forwarder = forwarder;
    }

    /**
     * What the API needs from its server.
     *
     * @param clientAddresses the cluster's client addresses by server id, this server's first
     * @param service         the name of the cluster's service: whose routes answer
     */
    public record Settings(int selfId, String clusterId, String service, InetSocketAddress listen,
            Map<Integer, InetSocketAddress> clientAddresses, int bodyBytesMax, int connectionsPerAddressMax,
            int exactlyOnceWindow) {}

    /**
     * Binds the listen address and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static HttpApi start(Settings settings, Supplier<ServerStatus> status, IntPredicate peerConnected,
            ServerMetrics metrics) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("paxlog-http-io", true),
                NioIoHandler.newFactory());
        // The forwarder follows this server's own view of who leads, so a request here never waits on a
        // leader this server already knows to be gone (issue 10).
        Forwarder forwarder = new Forwarder(settings.clientAddresses(), settings.clusterId(), settings.service(),
                settings.exactlyOnceWindow(), () -> {
            ServerStatus now = status.get();
            return now == null ? 0 : now.leaderHint();
        });
        ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ConnectionLimiter limiter = new ConnectionLimiter(settings.connectionsPerAddressMax());
        ApiHandler handler;
        try {
            handler = new ApiHandler(settings, forwarder, RouteTable.onClassPath(), new StatusRoute(settings.selfId(),
                    settings.clusterId(), settings.clientAddresses().keySet(), status, peerConnected), metrics);
        } catch (RuntimeException | Error e) { // two route providers claiming one path: nothing was started
            forwarder.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channels.add(channel);
                            ChannelPipeline pipeline = channel.pipeline();
                            pipeline.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                            pipeline.addLast(limiter);
                            pipeline.addLast(new HttpServerCodec(INITIAL_LINE_BYTES_MAX, HEADER_BYTES_MAX, 8192));
                            pipeline.addLast(new JsonAggregator(settings.bodyBytesMax()));
                            pipeline.addLast(handler);
                        }
                    })
                    .bind(settings.listen())
                    .syncUninterruptibly()
                    .channel();
            LOG.info("server {}: HTTP API on http://{}:{}/ (service {})", settings.selfId(),
                    settings.listen().getHostString(), settings.listen().getPort(), settings.service());
            return new HttpApi(group, channel, channels, forwarder);
        } catch (Exception e) { // Netty rethrows a bind failure (an IOException) unchecked
            forwarder.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new UncheckedIOException("cannot serve HTTP on " + settings.listen() + ": " + e.getMessage(),
                    e instanceof java.io.IOException io ? io : new java.io.IOException(e));
        }
    }

    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every connection and the forwarding client, and stops the event loop. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        forwarder.close();
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            LOG.warn("the HTTP event loop did not stop within 5 s");
        }
    }

    /** The aggregator, answering an over-long body with a JSON 413 and closing the connection. */
    private static final class JsonAggregator extends HttpObjectAggregator {

        /** How long a connection that sent an over-long body is read (and discarded) after the 413. */
        static final long OVERSIZED_LINGER_MS = 2_000;

        private final int bodyBytesMax;

        JsonAggregator(int bodyBytesMax) {
            super(bodyBytesMax);
            this.bodyBytesMax = bodyBytesMax;
        }

        /**
         * {@code Expect: 100-continue} with a {@code Content-Length} over the limit: Netty's own answer is a
         * bare 413 with no body; answer the JSON one instead. The client has not sent the body (it waits for
         * this answer), and the aggregator discards it if it sends it anyway, so the connection stays usable.
         */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
                pipeline.fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
                FullHttpResponse response = ApiHandler.response(tooLarge());
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                return response;
            }
            return super.newContinueResponse(start, maxContentLength, pipeline);
        }

        private HttpReply tooLarge() {
            return HttpReply.error(413, "body_too_large", "the request body is over this server's limit of "
                    + bodyBytesMax + " bytes (httpBodyBytesMax)");
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // The aggregator discards the rest of this body as it arrives; we answer now and linger.
            ApiHandler.writeAndLinger(ctx, tooLarge(), OVERSIZED_LINGER_MS);
        }
    }
}
