package io.paxlog.transport.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.paxlog.transport.codec.DecodeException;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameDecoder;
import io.paxlog.transport.frame.FrameEncoder;
import io.paxlog.transport.frame.FrameType;
import io.paxlog.transport.internal.ConnectionErrors;
import io.paxlog.transport.internal.EventLoops;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to one server: sends {@link ClientCall}s, pipelined, and completes each
 * call's future with the {@link ClientAnswer} carrying the same {@code callId}.
 *
 * <p>When the connection ends, for any reason, every pending future fails with a
 * {@link ConnectionClosedException} (the outcome of those calls is unknown) and {@link #closed()}
 * completes; the connection is never reopened: make a new one. Choosing servers, retrying and timing
 * out calls is the client library's job.
 *
 * <p>Threads: {@link #call} and {@link #close} may be called from any thread. Futures complete on the
 * connection's event loop thread: do not block in their callbacks.
 */
public final class ClientConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final String WHAT = "connection to server";

    private final ClientConnectionConfig config;
    private final Channel channel;
    private final Map<Long, CompletableFuture<ClientAnswer>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Set before the pending calls are failed, so a call racing with the close cannot be left hanging. */
    private volatile boolean ended;

    private ClientConnection(ClientConnectionConfig config, Channel channel) {
        this.config = config;
        this.channel = channel;
    }

    /**
     * Opens a connection on {@code group}, which must come from {@link io.paxlog.transport.NetworkThreads#group()} (or be
     * any NIO group). The future fails with the connect error if the server cannot be reached
     * within the config's connect timeout.
     */
    public static CompletableFuture<ClientConnection> connect(ClientConnectionConfig config, EventLoopGroup group) {
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        ConnectionHandler handler = new ConnectionHandler();
        ChannelFuture connecting = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(config.clusterId(), config.frameBytesMax(),
                                EnumSet.of(FrameType.CLIENT_ANSWER)));
                        ch.pipeline().addLast(new FrameEncoder(config.clusterId(), config.frameBytesMax()));
                        ch.pipeline().addLast(new IdleStateHandler(
                                0, config.pingInterval().toMillis(), 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true));
                        ch.pipeline().addLast(handler);
                    }
                })
                .connect(config.server());
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            ClientConnection connection = new ClientConnection(config, f.channel());
            handler.connection = connection;
            f.channel().closeFuture().addListener(c -> connection.ended());
            result.complete(connection);
        });
        return result;
    }

    /**
     * Sends {@code call}; the future completes with its answer, or fails with a
     * {@link ConnectionClosedException} if the connection ends first, or with an
     * {@link IllegalArgumentException} if a call with the same id is pending or the call is too large.
     * Never blocks.
     */
    public CompletableFuture<ClientAnswer> call(ClientCall call) {
        CompletableFuture<ClientAnswer> future = new CompletableFuture<>();
        byte[] body = ClientCodec.encodeCall(call);
        if (body.length > config.frameBytesMax()) {
            future.completeExceptionally(new IllegalArgumentException(
                    call + " takes " + body.length + " bytes, over the frame limit of " + config.frameBytesMax()));
            return future;
        }
        if (pending.putIfAbsent(call.callId(), future) != null) {
            future.completeExceptionally(new IllegalArgumentException("call id " + call.callId() + " is already pending"));
            return future;
        }
        if (ended) {
            fail(call.callId(), future, "connection to " + config.server() + " is closed; " + call + " was not sent");
            return future;
        }
        channel.writeAndFlush(new Frame(FrameType.CLIENT_CALL, 0, body)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(call.callId(), future, "could not send " + call + " to " + config.server() + ": " + f.cause());
            }
        });
        return future;
    }

    /** Calls sent and not answered yet. */
    public int pendingCalls() {
        return pending.size();
    }

    public boolean isOpen() {
        return !ended && channel.isActive();
    }

    public InetSocketAddress server() {
        return config.server();
    }

    /** Completes once the connection has ended and every pending call has failed. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** Closes the connection; pending calls fail. Returns at once; {@link #closed()} tells when it is done. */
    @Override
    public void close() {
        channel.close();
    }

    private void ended() {
        ended = true;
        int count = pending.size();
        for (Map.Entry<Long, CompletableFuture<ClientAnswer>> entry : pending.entrySet()) {
            fail(entry.getKey(), entry.getValue(), "connection to " + config.server() + " closed with "
                    + count + " calls pending; whether call " + entry.getKey() + " was applied is unknown");
        }
        closed.complete(null);
    }

    private void fail(long callId, CompletableFuture<ClientAnswer> future, String message) {
        if (pending.remove(callId, future)) {
            future.completeExceptionally(new ConnectionClosedException(message));
        }
    }

    private void answered(ClientAnswer answer) {
        CompletableFuture<ClientAnswer> future = pending.remove(answer.callId());
        if (future == null) {
            log.debug("answer for call {} that is not pending on {}", answer.callId(), config.server());
            return;
        }
        future.complete(answer);
    }

    /** Event loop thread only. */
    private static final class ConnectionHandler extends SimpleChannelInboundHandler<Frame> {

        /**
         * Set when the connect completes, on the event loop, before any frame can be read: Netty runs
         * the connect listener before the first read of the channel.
         */
        ClientConnection connection;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            try {
                connection.answered(ClientCodec.decodeAnswer(frame.body()));
            } catch (DecodeException e) {
                ConnectionErrors.close(ctx, "bad answer: " + e.getMessage(), log, WHAT);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.writeAndFlush(new Frame(FrameType.PING, 0, Frame.EMPTY));
            } else {
                super.userEventTriggered(ctx, event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ConnectionErrors.close(ctx, cause, log, WHAT);
        }
    }
}
