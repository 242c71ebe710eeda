package io.paxlog.transport.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameDecoderTest {

    private static final Frame FRAME = new Frame(FrameType.PEER_MESSAGE, 3, "hello".getBytes(StandardCharsets.UTF_8));

    @Test
    void wholeFramesArriveIntactEvenWhenSplitAcrossReadsOneByteAtATime() {
        byte[] both = concat(FrameProbe.encode(FRAME), FrameProbe.encode(new Frame(FrameType.PING, 3, Frame.EMPTY)));
        FrameProbe probe = new FrameProbe();
        for (byte b : both) {
            probe.feed(new byte[] {b});
        }
        probe.end();
        assertThat(probe.errors).isEmpty();
        assertThat(probe.frames).containsExactly(FRAME, new Frame(FrameType.PING, 3, Frame.EMPTY));
    }

    @Test
    void garbageIsRefusedFromItsFirstByte() {
        FrameProbe probe = new FrameProbe().feed("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(probe.refusal()).startsWith("wrong magic 0x47455420");
        assertThat(probe.channel.isOpen()).isFalse();
        assertThat(probe.frames).isEmpty();

        FrameProbe oneByte = new FrameProbe().feed(new byte[] {0x13});
        assertThat(oneByte.refusal()).startsWith("wrong magic 0x13");
    }

    @Test
    void wrongMagicIsRefused() {
        byte[] bytes = FrameProbe.encode(FRAME);
        bytes[3] = 0x00;
        assertThat(new FrameProbe().feed(bytes).refusal()).startsWith("wrong magic 0x50584c00");
    }

    @Test
    void anotherProtocolVersionIsRefusedNamingBoth() {
        byte[] bytes = FrameProbe.encode(FRAME);
        bytes[4] = 7;
        assertThat(new FrameProbe().feed(bytes).refusal())
                .isEqualTo("unsupported protocol version 7 (this server speaks 1)");
    }

    @Test
    void unknownAndUnacceptedFrameTypesAreRefused() {
        byte[] bytes = FrameProbe.encode(FRAME);
        bytes[5] = 99;
        assertThat(new FrameProbe().feed(bytes).refusal()).isEqualTo("unknown frame type 99");

        FrameProbe peersOnly = new FrameProbe(new FrameDecoder(FrameProbe.CLUSTER, FrameProbe.LIMIT,
                EnumSet.of(FrameType.PEER_HELLO, FrameType.PEER_MESSAGE)));
        byte[] call = FrameProbe.encode(new Frame(FrameType.CLIENT_CALL, 0, new byte[8]));
        assertThat(peersOnly.feed(call).refusal()).isEqualTo("frame type CLIENT_CALL is not accepted on this connection");
    }

    @Test
    void aFrameOfAnotherClusterIsRefusedNamingOurs() {
        byte[] bytes = FrameProbe.encode("other-cluster", FRAME);
        assertThat(new FrameProbe().feed(bytes).refusal())
                .startsWith("cluster tag 0x")
                .contains("does not match cluster 'demo'");
    }

    @Test
    void aFrameClaiming2GiBIsRefusedFromItsHeaderWithoutAllocatingForTheBody() {
        AtomicInteger largestAllocation = new AtomicInteger();
        FrameProbe probe = new FrameProbe(new FrameDecoder(FrameProbe.CLUSTER, 16 << 20, EnumSet.allOf(FrameType.class)));
        probe.channel.config().setAllocator(tracking(largestAllocation));
        byte[] header = Arrays.copyOf(FrameProbe.encode(FRAME), FrameFormat.HEADER_BYTES);
        ByteBuffer.wrap(header).putInt(14, Integer.MAX_VALUE);
        // Fed in two reads so the decoder has to accumulate (and so allocate) at least once.
        probe.feed(Arrays.copyOf(header, 9)).feed(Arrays.copyOfRange(header, 9, header.length));
        assertThat(probe.refusal()).isEqualTo("frame of 2147483647 bytes exceeds the limit of 16777216");
        assertThat(probe.channel.isOpen()).isFalse();
        assertThat(largestAllocation.get()).isBetween(1, 4096);

        byte[] unsigned = header.clone();
        ByteBuffer.wrap(unsigned).putInt(14, -1);
        assertThat(new FrameProbe().feed(unsigned).refusal()).isEqualTo("frame of 4294967295 bytes exceeds the limit of 65536");
    }

    @Test
    void aFrameCutOffInTheMiddleIsNeverDeliveredAndIsReportedAtTheEnd() {
        byte[] bytes = FrameProbe.encode(FRAME);
        FrameProbe probe = new FrameProbe().feed(Arrays.copyOf(bytes, bytes.length - 3));
        assertThat(probe.errors).isEmpty();
        probe.end();
        assertThat(probe.frames).isEmpty();
        assertThat(probe.refusal()).isEqualTo("connection ended in the middle of a frame (24 bytes of it received)");
    }

    @Test
    void aChecksumMismatchIsRefused() {
        byte[] bytes = FrameProbe.encode(FRAME);
        bytes[FrameFormat.HEADER_BYTES + 1] ^= 0x20;
        FrameProbe probe = new FrameProbe().feed(bytes);
        assertThat(probe.refusal()).startsWith("checksum mismatch");
        assertThat(probe.frames).isEmpty();
    }

    @Test
    void afterARefusalLaterBytesAreIgnoredEvenValidFrames() {
        byte[] bad = FrameProbe.encode(FRAME);
        bad[bad.length - 1] ^= 1;
        FrameProbe probe = new FrameProbe().feed(concat(bad, FrameProbe.encode(FRAME))).end();
        assertThat(probe.frames).isEmpty();
        assertThat(probe.refusal()).startsWith("checksum mismatch");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** An allocator that remembers the largest buffer anyone asked it for. */
    private static ByteBufAllocator tracking(AtomicInteger largest) {
        UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
        return new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                largest.accumulateAndGet(initialCapacity, Math::max);
                return delegate.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                largest.accumulateAndGet(initialCapacity, Math::max);
                return delegate.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
    }
}
