package io.paxlog.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameDecoder;
import io.paxlog.transport.frame.FrameEncoder;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import io.paxlog.transport.internal.BatchedWriter;
import io.paxlog.transport.internal.ConnectionErrors;
import io.paxlog.transport.internal.EventLoops;
import io.paxlog.transport.internal.FrameDeadlineHandler;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our one connection to one peer, which carries our messages to it: connects, introduces itself,
 * waits for the peer to answer with the expected id, and reconnects with capped, jittered exponential
 * backoff whenever the connection fails or is lost.
 *
 * <p>Threads: the connection's life (connect, handshake, loss, retry) runs on one event loop, fixed
 * per peer, so the fields marked "loop only" need no locks. {@link #send} is called from the server's
 * loop thread.
 */
final class OutboundPeer {

    private static final Logger log = LoggerFactory.getLogger(OutboundPeer.class);
    private static final String WHAT = "connection to peer at";

    private final int peerId;
    private final PeerNetworkConfig config;
    private final Counters counters;
    private final ChannelGroup channels;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private volatile InetSocketAddress address;
    /** The connection after its handshake; null while there is none. Written on the loop only. */
    private volatile Channel established;
    /**
     * Writes to {@link #established}, a burst of the loop thread's messages per event loop task; null
     * while there is none. Written on the loop only, set after {@code established} and cleared before.
     */
    private volatile BatchedWriter establishedWriter;
    /** Frame bytes handed to Netty for this peer and not yet written (or failed); invariant: <= queueBytesMax. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean closed;
    /** Failed attempts since the last handshake; loop only. */
    private int failures;
    /** Whether a connection was ever established, to count reconnects; loop only. */
    private boolean everEstablished;
    /** The pending retry; loop only. */
    private ScheduledFuture<?> retry;

    OutboundPeer(int peerId, InetSocketAddress address, PeerNetworkConfig config, Counters counters, ChannelGroup channels,
            EventLoop loop) {
        this.peerId = peerId;
        this.address = address;
        this.config = config;
        this.counters = counters;
        this.channels = channels;
        this.loop = loop;
        PeerNetworkConfig.Limits limits = config.limits();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(EventLoops.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.connectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(config.clusterId(), limits.frameBytesMax(),
                                EnumSet.of(FrameType.PEER_HELLO, FrameType.PING)));
                        ch.pipeline().addLast(new FrameEncoder(config.clusterId(), limits.frameBytesMax()));
                        ch.pipeline().addLast(new FrameDeadlineHandler(
                                limits.handshakeTimeout(), limits.readIdleTimeout(), log, WHAT));
                        ch.pipeline().addLast(InboundPeerHandler.pinger(limits));
                        // Between the consolidation and the socket: counts the flushes that reach it.
                        ch.pipeline().addLast(new FlushCounter(counters.flushes));
                        // send() hands bursts over through a BatchedWriter, flushed once each; this
                        // still merges the flushes of one event loop turn (the handshake's, pings).
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true));
                        ch.pipeline().addLast(new Handshake());
                    }
                });
    }

    void start() {
        loop.execute(this::connect);
    }

    int peerId() {
        return peerId;
    }

    boolean isConnected() {
        return established != null;
    }

    /** Where the next connection attempt goes; takes effect at the next attempt. Any thread. */
    void address(InetSocketAddress address) {
        this.address = address;
    }

    /**
     * Queues {@code frame} for the peer, or drops it (counted, logged at DEBUG) when there is no
     * connection or the peer's queue is full. Never blocks; called from the server's loop thread.
     */
    void send(Frame frame) {
        BatchedWriter writer = establishedWriter;
        if (writer == null) {
            drop(frame, "not connected");
            return;
        }
        long bytes = FrameFormat.encodedBytes(frame);
        if (queuedBytes.addAndGet(bytes) > config.limits().queueBytesMax()) {
            queuedBytes.addAndGet(-bytes);
            drop(frame, "its queue is full (" + queuedBytes.get() + " bytes)");
            return;
        }
        writer.write(frame, f -> {
            queuedBytes.addAndGet(-bytes);
            if (f.isSuccess()) {
                counters.framesOut.increment();
                counters.bytesOut.add(bytes);
            } else {
                counters.dropped.increment();
            }
        });
    }

    private void drop(Frame frame, String why) {
        counters.dropped.increment();
        log.debug("dropped a message of {} bytes to peer {}: {}", frame.body().length, peerId, why);
    }

    /** Stops reconnecting and closes the connection. Any thread. */
    void close() {
        closed = true;
        loop.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            Channel channel = established;
            if (channel != null) {
                channel.close();
            }
        });
    }

    /**
     * The peer just connected to us, so it is up: if we are waiting out a backoff to reach it, try now.
     * A restarted server would otherwise hear nothing from a live leader for up to the backoff cap and
     * might start an election it does not need. Any thread.
     */
    void peerIsUp() {
        loop.execute(() -> {
            if (closed || established != null || retry == null || retry.isDone()) {
                return;
            }
            retry.cancel(false);
            failures = 0;
            connect();
        });
    }

    /** Loop only. */
    private void connect() {
        if (closed) {
            return;
        }
        InetSocketAddress target = address;
        ChannelFuture connecting = bootstrap.connect(target);
        Channel channel = connecting.channel();
        channels.add(channel);
        channel.closeFuture().addListener(f -> lost(channel));
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                if (failures == 0) {
                    log.info("peer {} at {} unreachable, retrying: {}", peerId, target, f.cause().toString());
                } else {
                    log.debug("peer {} at {} still unreachable: {}", peerId, target, f.cause().toString());
                }
                f.channel().close();
            }
        });
    }

    /** Loop only. */
    private void established(Channel channel) {
        if (closed) {
            channel.close();
            return;
        }
        established = channel;
        establishedWriter = new BatchedWriter(channel);
        failures = 0;
        counters.connectedPeers.incrementAndGet();
        if (everEstablished) {
            counters.reconnects.increment();
        }
        everEstablished = true;
        log.info("connected to peer {} at {}", peerId, channel.remoteAddress());
    }

    /** Loop only: every channel we open ends here exactly once, whether it connected or not. */
    private void lost(Channel channel) {
        if (established == channel) {
            establishedWriter = null;
            established = null;
            counters.connectedPeers.decrementAndGet();
            log.info("lost connection to peer {} at {}", peerId, channel.remoteAddress());
        }
        if (closed) {
            return;
        }
        long delay = backoffNanos(failures++);
        retry = loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    /** Doubling from the minimum up to the maximum, then a uniform pick in [half, all] of it. */
    private long backoffNanos(int failedAttempts) {
        long min = config.limits().reconnectBackoffMin().toNanos();
        long max = config.limits().reconnectBackoffMax().toNanos();
        long cap = min;
        for (int i = 0; i < failedAttempts && cap < max; i++) {
            cap *= 2;
        }
        cap = Math.min(cap, max);
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    /** Our hello out, the peer's hello back, then pings while idle. Loop only. */
    private final class Handshake extends SimpleChannelInboundHandler<Frame> {

        private boolean done;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.writeAndFlush(new Frame(FrameType.PEER_HELLO, config.selfId(), Frame.EMPTY));
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (done) {
                if (frame.type() != FrameType.PING || frame.senderId() != peerId) {
                    ConnectionErrors.close(ctx, "unexpected " + frame + " after the handshake", log, WHAT);
                }
                return;
            }
            if (frame.type() != FrameType.PEER_HELLO) {
                ConnectionErrors.close(ctx, "first frame is " + frame.type() + ", expected " + FrameType.PEER_HELLO, log, WHAT);
            } else if (frame.senderId() != peerId) {
                ConnectionErrors.close(ctx, "answered as server " + frame.senderId() + ", expected server " + peerId
                        + " (check the peer addresses)", log, WHAT);
            } else {
                done = true;
                established(ctx.channel());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                if (done) {
                    ctx.writeAndFlush(new Frame(FrameType.PING, config.selfId(), Frame.EMPTY));
                }
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
