package io.paxlog.transport.frame;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class FrameCorruptionPropertyTest {

    @Provide
    Arbitrary<Frame> frames() {
        return Combinators.combine(Arbitraries.of(FrameType.class), Arbitraries.integers().between(0, 1000),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as(Frame::new);
    }

    @Property(tries = 1000)
    void framesRoundTrip(@ForAll("frames") Frame frame) {
        FrameProbe probe = new FrameProbe().feed(FrameProbe.encode(frame)).end();
        assertThat(probe.errors).isEmpty();
        assertThat(probe.frames).containsExactly(frame);
    }

    /**
     * Whatever byte is changed, and to whatever value, the frame is refused with a FrameException and
     * nothing is delivered (the header checks, the length limit, the end-of-stream check or the
     * checksum catch it).
     */
    @Property(tries = 3000)
    void anyCorruptedByteIsDetected(@ForAll("frames") Frame frame, @ForAll("indexes") double where, @ForAll byte mask) {
        byte[] bytes = FrameProbe.encode(frame);
        int index = (int) (where * bytes.length);
        bytes[index] ^= (mask == 0 ? (byte) 0x80 : mask);
        FrameProbe probe = new FrameProbe().feed(bytes).end();
        assertThat(probe.frames).isEmpty();
        assertThat(probe.refusal()).isNotBlank();
    }

    @Provide
    Arbitrary<Double> indexes() {
        return Arbitraries.doubles().between(0, 1).filter(d -> d < 1);
    }
}
