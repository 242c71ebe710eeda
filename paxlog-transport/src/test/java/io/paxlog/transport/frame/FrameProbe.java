package io.paxlog.transport.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** A frame decoder in an embedded channel, with what it delivered and what it refused. */
final class FrameProbe {

    static final String CLUSTER = "demo";
    static final int LIMIT = 1 << 16;

    final List<Frame> frames = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final EmbeddedChannel channel;

    FrameProbe() {
        this(new FrameDecoder(CLUSTER, LIMIT, EnumSet.allOf(FrameType.class)));
    }

    FrameProbe(FrameDecoder decoder) {
        channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                frames.add((Frame) msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
                ctx.close();
            }
        });
    }

    /** Feeds {@code bytes} in one read. */
    FrameProbe feed(byte[] bytes) {
        if (channel.isOpen()) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        }
        return this;
    }

    /** Ends the connection from the sender's side, as a close would. */
    FrameProbe end() {
        channel.close();
        channel.finishAndReleaseAll();
        return this;
    }

    /** The reason of the one refusal, which must be a FrameException. */
    String refusal() {
        if (errors.size() != 1) {
            throw new AssertionError("expected exactly one refusal, got " + errors);
        }
        Throwable error = errors.get(0);
        if (!(error instanceof FrameException)) {
            throw new AssertionError("expected a FrameException, got " + error, error);
        }
        return error.getMessage();
    }

    static byte[] encode(String clusterId, Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        FrameFormat.write(buf, FrameFormat.clusterTag(clusterId), frame);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    static byte[] encode(Frame frame) {
        return encode(CLUSTER, frame);
    }
}
