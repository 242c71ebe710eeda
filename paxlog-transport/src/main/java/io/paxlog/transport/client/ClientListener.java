package io.paxlog.transport.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.paxlog.transport.codec.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.paxlog.transport.frame.ForeignClusterFrameException;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameDecoder;
import io.paxlog.transport.frame.FrameEncoder;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import io.paxlog.transport.internal.BatchedWriter;
import io.paxlog.transport.internal.ConnectionErrors;
import io.paxlog.transport.internal.EventLoops;
import io.paxlog.transport.internal.FrameDeadlineHandler;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the client protocol: accepts client connections, turns each
 * {@link FrameType#CLIENT_CALL} frame into a {@link ClientHandler#call} and sends answers back.
 *
 * <p>Threads: Netty event loops of its own (two) read, decode and call the handler; answers may come
 * from any thread. {@link #start} and {@link #close} are called by the server's lifecycle thread.
 */
public final class ClientListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientListener.class);
    private static final String WHAT = "client connection";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoopGroup group;
    private final Channel serverChannel;
    /** Every client connection, so close() ends them all: a stopped event loop does not. */
    private final ChannelGroup channels;

    private ClientListener(EventLoopGroup group, Channel serverChannel, ChannelGroup channels) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.channels = channels;
    }

    /**
     * Binds {@code config.listen()} and starts accepting clients.
     *
     * @throws UncheckedIOException if the address cannot be bound (in use, not local)
     */
    public static ClientListener start(ClientListenerConfig config, ClientHandler handler) {
        EventLoopGroup group = EventLoops.newGroup(2, "paxlog-client-io");
        ChannelGroup channels = new DefaultChannelGroup("paxlog-clients", GlobalEventExecutor.INSTANCE);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EventLoops.serverChannel(group))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            configure(ch.pipeline(), config, handler);
                        }
                    })
                    .bind(config.listen())
                    .syncUninterruptibly()
                    .channel();
            log.info("listening for clients on {}", channel.localAddress());
            return new ClientListener(group, channel, channels);
        } catch (RuntimeException e) {
            EventLoops.shutdown(group, CLOSE_TIMEOUT);
            throw new UncheckedIOException(new IOException(
                    "cannot listen for clients on " + config.listen() + ": " + e.getMessage(), e));
        }
    }

    /** Sets up the pipeline of one accepted client connection. */
    static void configure(ChannelPipeline pipeline, ClientListenerConfig config, ClientHandler handler) {
        pipeline.addLast(new FrameDecoder(config.clusterId(), config.frameBytesMax(),
                EnumSet.of(FrameType.CLIENT_CALL, FrameType.PING)));
        pipeline.addLast(new FrameEncoder(config.clusterId(), config.frameBytesMax()));
        pipeline.addLast(new FrameDeadlineHandler(config.readIdleTimeout(), config.readIdleTimeout(), log, WHAT));
        // Answers come one by one from the server's loop thread; this flushes them once per event
        // loop turn instead of once each.
        pipeline.addLast(new FlushConsolidationHandler(256, true));
        pipeline.addLast(new CallHandler(config, handler));
    }

    /** The bound address (with the real port when the config asked for port 0). */
    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every client connection and waits (bounded) for the threads to end. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        channels.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        if (!EventLoops.shutdown(group, CLOSE_TIMEOUT)) {
            log.warn("client event loops did not stop within {}", CLOSE_TIMEOUT);
        }
    }

    /** Reads one connection's calls. Event loop thread only. */
    private static final class CallHandler extends SimpleChannelInboundHandler<Frame> {

        private final ClientListenerConfig config;
        private final ClientHandler handler;
        private ReplyChannel reply;

        CallHandler(ClientListenerConfig config, ClientHandler handler) {
            this.config = config;
            this.handler = handler;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            reply = new ReplyChannel(ctx.channel(), config);
            log.debug("client connected from {}", ctx.channel().remoteAddress());
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.type() != FrameType.CLIENT_CALL) {
                return; // a ping: its arrival alone kept the connection open
            }
            ClientCall call;
            try {
                call = ClientCodec.decodeCall(frame.body());
            } catch (DecodeException e) {
                ConnectionErrors.close(ctx, "bad call: " + e.getMessage(), log, WHAT);
                return;
            }
            try {
                handler.call(call, reply);
            } catch (RuntimeException e) {
                // A bug in the server's handler: say so to this caller and in the log, keep serving.
                log.error("client handler failed on {}", call, e);
                reply.answer(ClientAnswer.refused(call.callId(), ClientAnswer.Status.ERROR, 0,
                        "server error: " + e));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof ForeignClusterFrameException foreign && ctx.channel().isActive()
                    && refuseForeignCall(ctx, foreign)) {
                // Closed once the refusal is written: closing now would throw the refusal away.
                log.warn("{} {} closed: {}; its call was answered REJECTED", WHAT, ctx.channel().remoteAddress(),
                        cause.getMessage());
                return;
            }
            ConnectionErrors.close(ctx, cause, log, WHAT);
        }

        /**
         * A call from a client of another cluster is answered REJECTED, in that cluster's tag (the only
         * one its decoder accepts), before the connection closes: the call was never handed to this
         * server, so the client may say "not applied" and why, instead of "connection lost, outcome
         * unknown". Written as raw bytes past our own encoder, which would use our tag.
         */
        private boolean refuseForeignCall(ChannelHandlerContext ctx, ForeignClusterFrameException foreign) {
            if (foreign.frame().type() != FrameType.CLIENT_CALL) {
                return false; // a ping: nothing to answer
            }
            ClientCall call;
            try {
                call = ClientCodec.decodeCall(foreign.frame().body());
            } catch (DecodeException e) {
                return false; // not even a call: the close alone is the answer
            }
            byte[] body = ClientCodec.encodeAnswer(ClientAnswer.refused(call.callId(), ClientAnswer.Status.REJECTED, 0,
                    "server " + config.serverId() + " belongs to cluster '" + config.clusterId()
                            + "', not to the cluster this client was configured for (check the client's cluster id"
                            + " and server list); nothing was applied"));
            Frame answer = new Frame(FrameType.CLIENT_ANSWER, config.serverId(), body);
            ByteBuf bytes = ctx.alloc().buffer(FrameFormat.encodedBytes(answer));
            FrameFormat.write(bytes, foreign.clusterTag(), answer);
            ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
            return true;
        }
    }

    /** Thread-safe: the server answers from its loop thread. */
    private static final class ReplyChannel implements ClientReplyChannel {

        private final Channel channel;
        private final int serverId;
        private final int frameBytesMax;
        private final long answerQueueBytesMax;
        /** Answer bytes handed to Netty and not yet written to the socket. */
        private final AtomicLong queuedBytes = new AtomicLong();
        /** The loop thread's answers reach the socket a burst per event loop task. */
        private final BatchedWriter writer;

        ReplyChannel(Channel channel, ClientListenerConfig config) {
            this.channel = channel;
            this.writer = new BatchedWriter(channel);
            this.serverId = config.serverId();
            this.frameBytesMax = config.frameBytesMax();
            this.answerQueueBytesMax = config.answerQueueBytesMax();
        }

        @Override
        public void answer(ClientAnswer answer) {
            if (!channel.isActive()) {
                return;
            }
            byte[] body = ClientCodec.encodeAnswer(answer);
            if (body.length > frameBytesMax) {
                log.warn("answer {} of {} bytes is over the frame limit {}; sending an error instead",
                        answer, body.length, frameBytesMax);
                body = ClientCodec.encodeAnswer(ClientAnswer.refused(answer.callId(), ClientAnswer.Status.ERROR,
                        answer.leaderHint(), "result of " + answer.result().length + " bytes is too large to send"));
            }
            Frame frame = new Frame(FrameType.CLIENT_ANSWER, serverId, body);
            long bytes = FrameFormat.encodedBytes(frame);
            if (queuedBytes.addAndGet(bytes) > answerQueueBytesMax) {
                queuedBytes.addAndGet(-bytes);
                log.warn("{} {} closed: it is not reading its answers ({} bytes waiting)",
                        WHAT, channel.remoteAddress(), queuedBytes.get());
                channel.close();
                return;
            }
            writer.write(frame, f -> queuedBytes.addAndGet(-bytes));
        }

        @Override
        public boolean isOpen() {
            return channel.isActive();
        }

        @Override
        public SocketAddress remoteAddress() {
            return channel.remoteAddress();
        }
    }
}
