package io.paxlog.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.transport.codec.DecodeException;
import io.paxlog.transport.codec.MessageCodec;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameDecoder;
import io.paxlog.transport.frame.FrameEncoder;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import io.paxlog.transport.internal.ConnectionErrors;
import io.paxlog.transport.internal.FrameDeadlineHandler;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of a connection a peer opened to us. The first frame must be a
 * {@link FrameType#PEER_HELLO} from a configured peer (not from us); we answer with our own hello so the
 * peer knows it reached the server it meant to. From then on every frame must come from that same
 * sender, and each message frame is decoded and handed to {@code inbound}.
 *
 * <p>Event loop thread only; one instance per connection.
 */
final class InboundPeerHandler extends SimpleChannelInboundHandler<Frame> {

    private static final Logger log = LoggerFactory.getLogger(InboundPeerHandler.class);
    static final String WHAT = "peer connection from";

    private final PeerNetworkConfig config;
    private final Consumer<Envelope> inbound;
    private final Counters counters;
    /** The peer this connection introduced itself as; 0 until its hello. */
    private int peerId;

    private final java.util.function.IntConsumer peerUp;

    private InboundPeerHandler(PeerNetworkConfig config, Consumer<Envelope> inbound, Counters counters,
            java.util.function.IntConsumer peerUp) {
        this.config = config;
        this.inbound = inbound;
        this.counters = counters;
        this.peerUp = peerUp;
    }

    /** Sets up the pipeline of one accepted peer connection. */
    static void configure(ChannelPipeline pipeline, PeerNetworkConfig config, Consumer<Envelope> inbound, Counters counters) {
        configure(pipeline, config, inbound, counters, peerId -> { });
    }

    /**
     * Sets up the pipeline of one accepted peer connection; {@code peerUp} hears the id of a peer that
     * introduced itself (on the connection's event loop).
     */
    static void configure(ChannelPipeline pipeline, PeerNetworkConfig config, Consumer<Envelope> inbound, Counters counters,
            java.util.function.IntConsumer peerUp) {
        PeerNetworkConfig.Limits limits = config.limits();
        pipeline.addLast(new FrameDecoder(config.clusterId(), limits.frameBytesMax(),
                EnumSet.of(FrameType.PEER_HELLO, FrameType.PEER_MESSAGE, FrameType.PING)));
        pipeline.addLast(new FrameEncoder(config.clusterId(), limits.frameBytesMax()));
        pipeline.addLast(new FrameDeadlineHandler(limits.handshakeTimeout(), limits.readIdleTimeout(), log, WHAT));
        pipeline.addLast(pinger(limits));
        pipeline.addLast(new InboundPeerHandler(config, inbound, counters, peerUp));
    }

    /** Fires a writer-idle event a third of the read timeout after the last write, to send a ping. */
    static IdleStateHandler pinger(PeerNetworkConfig.Limits limits) {
        return new IdleStateHandler(0, limits.readIdleTimeout().toMillis() / 3, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (peerId == 0) {
            hello(ctx, frame);
            return;
        }
        if (frame.senderId() != peerId) {
            ConnectionErrors.close(ctx, "sender id changed from " + peerId + " to " + frame.senderId(), log, WHAT);
            return;
        }
        switch (frame.type()) {
            case PEER_MESSAGE -> message(ctx, frame);
            case PING -> { } // its arrival alone kept the connection open
            default -> ConnectionErrors.close(ctx, "unexpected " + frame.type() + " after the handshake", log, WHAT);
        }
    }

    private void hello(ChannelHandlerContext ctx, Frame frame) {
        int sender = frame.senderId();
        if (frame.type() != FrameType.PEER_HELLO) {
            ConnectionErrors.close(ctx, "first frame is " + frame.type() + ", expected " + FrameType.PEER_HELLO, log, WHAT);
        } else if (sender == config.selfId()) {
            ConnectionErrors.close(ctx, "sender id " + sender + " is this server's own id", log, WHAT);
        } else if (!config.peers().containsKey(sender)) {
            ConnectionErrors.close(ctx, "unknown sender id " + sender + " (peers of cluster '" + config.clusterId()
                    + "' are " + config.peers().keySet() + ")", log, WHAT);
        } else if (frame.body().length != 0) {
            ConnectionErrors.close(ctx, "hello with a body of " + frame.body().length + " bytes", log, WHAT);
        } else {
            peerId = sender;
            log.debug("peer {} connected from {}", sender, ctx.channel().remoteAddress());
            ctx.writeAndFlush(new Frame(FrameType.PEER_HELLO, config.selfId(), Frame.EMPTY));
            peerUp.accept(sender);
        }
    }

    private void message(ChannelHandlerContext ctx, Frame frame) {
        Message message;
        try {
            message = MessageCodec.decode(frame.body());
        } catch (DecodeException e) {
            ConnectionErrors.close(ctx, "bad message from peer " + peerId + ": " + e.getMessage(), log, WHAT);
            return;
        }
        counters.framesIn.increment();
        counters.bytesIn.add(FrameFormat.encodedBytes(frame));
        try {
            inbound.accept(new Envelope(peerId, config.selfId(), message));
        } catch (RuntimeException e) {
            // A bug in the server's hand-off, not the peer's fault: keep the connection, say it loudly.
            log.error("inbound consumer failed on a message from peer {}", peerId, e);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (peerId != 0) {
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
