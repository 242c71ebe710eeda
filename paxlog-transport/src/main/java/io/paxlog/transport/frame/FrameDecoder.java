package io.paxlog.transport.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Cuts the byte stream of one connection into {@link Frame}s (layout in {@link FrameFormat}). Runs on
 * the channel's event loop; one instance per channel.
 *
 * <p>Every header field is checked as soon as its bytes are in, before any body is accumulated: a
 * wrong magic is refused from its first byte, and a length over {@code frameBytesMax} from the header
 * alone, so a sender cannot make the receiver buffer more than one allowed frame. Any violation throws
 * a {@link FrameException}; the decoder then discards everything else from the connection, whose
 * handler logs the reason and closes it. A connection that ends in the middle of a frame is reported
 * the same way, and the partial frame is never delivered.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final String clusterId;
    private final int clusterTag;
    private final int frameBytesMax;
    private final Set<FrameType> accepted;
    /** Set by the first violation; from then on every byte is dropped unread. */
    private boolean failed;
    /** Reused for every frame; a decoder runs on its channel's event loop only. */
    private final CRC32C crc = new CRC32C();

    public FrameDecoder(String clusterId, int frameBytesMax, Set<FrameType> accepted) {
        if (frameBytesMax < 0) {
            throw new IllegalArgumentException("frameBytesMax must be >= 0, was " + frameBytesMax);
        }
        this.clusterId = clusterId;
        this.clusterTag = FrameFormat.clusterTag(clusterId);
        this.frameBytesMax = frameBytesMax;
        this.accepted = EnumSet.copyOf(accepted);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Frame frame = next(in);
            if (frame != null) {
                out.add(frame);
            }
        } catch (FrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            int received = in.readableBytes();
            failed = true;
            in.skipBytes(received);
            throw new FrameException("connection ended in the middle of a frame (" + received + " bytes of it received)");
        }
    }

    /** The next whole frame at the reader index, consumed; null (nothing consumed) if it is not all in yet. */
    private Frame next(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        for (int i = 0; i < Math.min(4, readable); i++) {
            if (in.getByte(start + i) != (byte) (FrameFormat.MAGIC >>> (24 - 8 * i))) {
                throw new FrameException("wrong magic 0x" + hexPrefix(in, start, Math.min(4, readable))
                        + " (expected 0x" + Integer.toHexString(FrameFormat.MAGIC) + ")");
            }
        }
        if (readable < 5) {
            return null;
        }
        byte version = in.getByte(start + 4);
        if (version != FrameFormat.VERSION) {
            throw new FrameException("unsupported protocol version " + (version & 0xFF)
                    + " (this server speaks " + FrameFormat.VERSION + ")");
        }
        if (readable < 6) {
            return null;
        }
        byte code = in.getByte(start + 5);
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
            throw new FrameException("unknown frame type " + (code & 0xFF));
        }
        if (!accepted.contains(type)) {
            throw new FrameException("frame type " + type + " is not accepted on this connection");
        }
        if (readable < 10) {
            return null;
        }
        // Another cluster's frame is refused, but only once it is whole and its checksum holds: then
        // the refusal can carry it (ForeignClusterFrameException), so the listener can answer its sender.
        int tag = in.getInt(start + 6);
        if (readable < FrameFormat.HEADER_BYTES) {
            return null;
        }
        long length = in.getUnsignedInt(start + FrameFormat.LENGTH_OFFSET);
        if (length > frameBytesMax) {
            throw new FrameException("frame of " + length + " bytes exceeds the limit of " + frameBytesMax);
        }
        int senderId = in.getInt(start + 10);
        if (senderId < 0) {
            throw new FrameException("negative sender id " + senderId);
        }
        int bodyLength = (int) length;
        int total = FrameFormat.HEADER_BYTES + bodyLength + FrameFormat.CHECKSUM_BYTES;
        if (readable < total) {
            return null;
        }
        int expected = in.getInt(start + FrameFormat.HEADER_BYTES + bodyLength);
        int actual = FrameFormat.checksum(in, start, FrameFormat.HEADER_BYTES + bodyLength, crc);
        if (expected != actual) {
            throw new FrameException("checksum mismatch in a " + type + " frame of " + bodyLength + " bytes");
        }
        byte[] body = bodyLength == 0 ? Frame.EMPTY : new byte[bodyLength];
        in.getBytes(start + FrameFormat.HEADER_BYTES, body);
        in.skipBytes(total);
        if (tag != clusterTag) {
            throw new ForeignClusterFrameException("cluster tag 0x" + Integer.toHexString(tag)
                    + " does not match cluster '" + clusterId + "' (0x" + Integer.toHexString(clusterTag) + ")", tag,
                    new Frame(type, senderId, body));
        }
        return new Frame(type, senderId, body);
    }

    private static String hexPrefix(ByteBuf in, int start, int count) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < count; i++) {
            hex.append(String.format("%02x", in.getByte(start + i) & 0xFF));
        }
        return hex.toString();
    }
}
