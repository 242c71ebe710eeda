package io.paxlog.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The streaming codec against the array codec: the same fields give the same bytes, and read back from
 * a stream that hands out bytes a few at a time (so every field, and the trailer, straddles the 64 KiB
 * buffer's refills somewhere) they give the same values; damage and extra bytes are refused.
 */
class BinaryStreamPropertyTest {

    /** One field: its kind (0 byte, 1 int, 2 long, 3 bytes, 4 string) and value. */
    record Field(int kind, long number, byte[] bytes, String text) {}

    @Provide
    Arbitrary<List<Field>> fields() {
        Arbitrary<Field> field = Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.longs(),
                Arbitraries.integers().between(0, 40_000), Arbitraries.strings().withChars("az\u00e9\u20ac\u4e2d").ofMaxLength(20))
                .as((kind, number, length, text) -> {
                    byte[] bytes = new byte[kind == 3 ? length : 0];
                    new SplittableRandom(number).nextBytes(bytes);
                    return new Field(kind, number, bytes, text);
                });
        return field.list().ofMaxSize(40);
    }

    private static byte[] withArrays(List<Field> fields) {
        Binary.Writer out = new Binary.Writer();
        for (Field f : fields) {
            switch (f.kind()) {
                case 0 -> out.putByte((int) f.number());
                case 1 -> out.putInt((int) f.number());
                case 2 -> out.putLong(f.number());
                case 3 -> out.putBytes(f.bytes());
                default -> out.putString(f.text());
            }
        }
        return out.finishWithChecksum();
    }

    private static byte[] withStream(List<Field> fields) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        BinaryOutput out = new BinaryOutput(sink);
        for (Field f : fields) {
            switch (f.kind()) {
                case 0 -> out.putByte((int) f.number());
                case 1 -> out.putInt((int) f.number());
                case 2 -> out.putLong(f.number());
                case 3 -> out.putBytes(f.bytes());
                default -> out.putString(f.text());
            }
        }
        out.finishWithChecksum();
        return sink.toByteArray();
    }

    /** Hands out 1 to 9 bytes per read, so refills happen everywhere. */
    private static InputStream trickle(byte[] bytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] into, int offset, int length) {
                return super.read(into, offset, Math.min(length, 1 + random.nextInt(9)));
            }
        };
    }

    private static void readBack(List<Field> fields, InputStream stream) throws IOException {
        BinaryInput in = new BinaryInput(stream, "test");
        for (Field f : fields) {
            switch (f.kind()) {
                case 0 -> assertThat(in.getByte()).isEqualTo((int) f.number() & 0xff);
                case 1 -> assertThat(in.getInt()).isEqualTo((int) f.number());
                case 2 -> assertThat(in.getLong()).isEqualTo(f.number());
                case 3 -> assertThat(in.getBytes(Integer.MAX_VALUE)).isEqualTo(f.bytes());
                default -> assertThat(in.getString(1000)).isEqualTo(f.text());
            }
        }
        in.expectChecksumAndEnd();
    }

    @Property(tries = 200)
    void theStreamWritesTheArrayCodecsBytesAndReadsThemBackInAnyPieces(@ForAll("fields") List<Field> fields,
            @ForAll long seed) throws IOException {
        byte[] expected = withArrays(fields);
        assertThat(withStream(fields)).isEqualTo(expected);
        readBack(fields, trickle(expected, seed));
    }

    @Property(tries = 200)
    void aFlippedByteOrAMissingOrAnExtraByteIsRefused(@ForAll("fields") List<Field> fields, @ForAll long seed) {
        byte[] good = withArrays(fields);
        SplittableRandom random = new SplittableRandom(seed);
        int at = random.nextInt(good.length);
        byte[] flipped = good.clone();
        flipped[at] ^= (byte) (1 + random.nextInt(255));
        assertThatThrownBy(() -> readBack(fields, trickle(flipped, seed)))
                .as("flip at %d of %d", at, good.length).isInstanceOfAny(IllegalArgumentException.class, AssertionError.class);
        byte[] cut = Arrays.copyOf(good, at);
        assertThatThrownBy(() -> readBack(fields, trickle(cut, seed))).isInstanceOf(IllegalArgumentException.class);
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> readBack(fields, trickle(longer, seed)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected bytes");
    }

    @Test
    void aLengthAboveTheCallersLimitIsRefusedBeforeAnythingIsAllocated() throws IOException {
        byte[] claim = new Binary.Writer().putInt(1 << 30).finish(); // a gigabyte, in four bytes
        BinaryInput in = new BinaryInput(new ByteArrayInputStream(claim), "test");
        assertThatThrownBy(() -> in.getBytes(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length 1073741824 at byte 0 is not in 0-100");
        BinaryInput negative = new BinaryInput(new ByteArrayInputStream(new Binary.Writer().putInt(-1).finish()), "t");
        assertThatThrownBy(() -> negative.getBytes(100)).hasMessageContaining("length -1");
    }

    @Test
    void rawReadsAndWritesMixWithFieldsAndCountBytes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        BinaryOutput out = new BinaryOutput(sink);
        byte[] big = new byte[200_000];
        new SplittableRandom(3).nextBytes(big);
        out.putInt(7);
        out.write(big, 0, big.length); // above the buffer: written through
        out.write(9);
        assertThat(out.written()).isEqualTo(4 + big.length + 1);
        out.finishWithChecksum();
        BinaryInput in = new BinaryInput(trickle(sink.toByteArray(), 5), "test");
        assertThat(in.getInt()).isEqualTo(7);
        byte[] back = new byte[big.length];
        in.readFully(back, 0, back.length);
        assertThat(back).isEqualTo(big);
        assertThat(in.getByte()).isEqualTo(9);
        assertThat(in.offset()).isEqualTo(4 + big.length + 1);
        in.expectChecksumAndEnd();
    }
}
