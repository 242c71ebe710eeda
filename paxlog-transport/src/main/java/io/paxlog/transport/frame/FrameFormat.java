package io.paxlog.transport.frame;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The frame layout, shared by both protocols (server-to-server and client-to-server). Big-endian:
 *
 * <pre>
 * offset size  field
 *      0    4  magic            0x50584C47 ("PXLG")
 *      4    1  protocol version 1
 *      5    1  frame type       {@link FrameType#code()}
 *      6    4  cluster tag      CRC-32C of the UTF-8 bytes of the cluster id
 *     10    4  sender id        the sending server's id; 0 for a client
 *     14    4  body length      unsigned, at most the receiver's limit
 *     18    n  body             n = body length
 *   18+n    4  checksum         CRC-32C of bytes 0 .. 18+n-1 (header and body)
 * </pre>
 *
 * <p>Everything a receiver must check before it holds on to a body (magic, version, type, cluster,
 * length) sits in the fixed-size header, so a bad frame is refused after at most 18 bytes.
 */
public final class FrameFormat {

    public static final int MAGIC = 0x50584C47;
    public static final byte VERSION = 1;
    public static final int HEADER_BYTES = 18;
    public static final int CHECKSUM_BYTES = 4;
    /** Offset of the body length in the header. */
    static final int LENGTH_OFFSET = 14;

    /** Default limit on a frame's body: large enough for a batch of big commands or a snapshot chunk. */
    public static final int FRAME_BYTES_MAX_DEFAULT = 16 << 20;

    private FrameFormat() {}

    /** The tag that stands for {@code clusterId} in every frame header. */
    public static int clusterTag(String clusterId) {
        CRC32C crc = new CRC32C();
        crc.update(clusterId.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /** Appends {@code frame} to {@code out} in the layout above. */
    public static void write(ByteBuf out, int clusterTag, Frame frame) {
        write(out, clusterTag, frame, new CRC32C());
    }

    /**
     * As {@link #write(ByteBuf, int, Frame)}, with a checksum the caller owns and reuses (reset here):
     * one per connection, on its event loop, instead of one allocated per frame.
     */
    static void write(ByteBuf out, int clusterTag, Frame frame, CRC32C crc) {
        int start = out.writerIndex();
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(frame.type().code());
        out.writeInt(clusterTag);
        out.writeInt(frame.senderId());
        out.writeInt(frame.body().length);
        out.writeBytes(frame.body());
        out.writeInt(checksum(out, start, HEADER_BYTES + frame.body().length, crc));
    }

    /** Bytes {@code frame} takes on the wire. */
    public static int encodedBytes(Frame frame) {
        return HEADER_BYTES + frame.body().length + CHECKSUM_BYTES;
    }

    static int checksum(ByteBuf buf, int index, int length, CRC32C crc) {
        crc.reset();
        // nioBuffer views the bytes without copying for the heap and direct buffers Netty accumulates.
        crc.update(buf.nioBuffer(index, length));
        return (int) crc.getValue();
    }
}
