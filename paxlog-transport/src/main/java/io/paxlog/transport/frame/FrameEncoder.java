package io.paxlog.transport.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.zip.CRC32C;

/**
 * Writes {@link Frame}s in the {@link FrameFormat} layout. Runs on the channel's event loop.
 *
 * <p>Senders check sizes before they queue a frame; a frame over the limit reaching this point is a
 * bug, and fails its write rather than going out for the receiver to refuse.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    private final int clusterTag;
    private final int frameBytesMax;
    /** Reused for every frame; this encoder runs on its channel's event loop only. */
    private final CRC32C crc = new CRC32C();

    public FrameEncoder(String clusterId, int frameBytesMax) {
        super(Frame.class);
        this.clusterTag = FrameFormat.clusterTag(clusterId);
        this.frameBytesMax = frameBytesMax;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().ioBuffer(FrameFormat.encodedBytes(frame));
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        if (frame.body().length > frameBytesMax) {
            throw new EncoderException(
                    "refusing to send a frame of " + frame.body().length + " bytes over the limit of " + frameBytesMax);
        }
        FrameFormat.write(out, clusterTag, frame, crc);
    }
}
