package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SegmentHeaderTest {

    private static final SegmentIdentity ID = new SegmentIdentity("prod-eu.1", 3);

    @Test
    void a_header_decodes_to_what_was_encoded() {
        byte[] bytes = SegmentHeader.of(42, ID).encode().array();

        assertThat(bytes).hasSize(SegmentHeader.BYTES);
        assertThat(SegmentHeader.decode(bytes, bytes.length)).isEqualTo(SegmentHeader.of(42, ID));
    }

    @Test
    void every_bit_flip_in_a_header_is_detected() {
        byte[] clean = SegmentHeader.of(7, ID).encode().array();
        for (int bit = 0; bit < clean.length * 8; bit++) {
            byte[] bytes = clean.clone();
            bytes[bit / 8] ^= (byte) (1 << (bit % 8));

            assertThat(SegmentHeader.decode(bytes, bytes.length)).as("bit %d", bit)
                    .isInstanceOf(HeaderRead.Problem.class);
        }
    }

    @Test
    void an_incomplete_or_damaged_header_could_be_a_torn_creation_but_another_version_never_is() {
        byte[] bytes = SegmentHeader.of(1, ID).encode().array();

        assertThat(SegmentHeader.decode(bytes, 100)).isEqualTo(
                new HeaderRead.Problem("incomplete segment header: 100 of 128 bytes", true));
        assertThat(SegmentHeader.decode(new byte[128], 128)).isEqualTo(
                new HeaderRead.Problem("no segment header (wrong magic number)", true));

        ByteBuffer.wrap(bytes).putInt(SegmentHeader.VERSION_AT, 2);
        assertThat(SegmentHeader.decode(bytes, 128)).isEqualTo(
                new HeaderRead.Problem("segment header checksum mismatch", true));

        assertThat(SegmentHeader.decode(withVersion(2), 128)).isEqualTo(
                new HeaderRead.Problem("unknown format version 2 (this build reads version 1)", false));
    }

    /** A header that another format version could have written: valid checksum, other version. */
    static byte[] withVersion(int version) {
        byte[] bytes = SegmentHeader.of(1, ID).encode().array();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putInt(SegmentHeader.VERSION_AT, version);
        buffer.putInt(SegmentHeader.CRC_AT, SegmentHeader.checksum(bytes));
        return bytes;
    }

    @Test
    void segment_names_sort_like_their_indexes_and_parse_back() {
        assertThat(SegmentNames.name(9)).isEqualTo("segment-00000000000000000009.wal");
        assertThat(SegmentNames.name(9).compareTo(SegmentNames.name(10))).isNegative();
        assertThat(SegmentNames.index(SegmentNames.name(123456789))).isEqualTo(123456789);
        assertThat(SegmentNames.index("segment-1.wal")).isEqualTo(-1);
        assertThat(SegmentNames.index("snapshot-00000000000000000001.snap")).isEqualTo(-1);
        assertThat(SegmentNames.index("segment-00000000000000000000.wal")).isEqualTo(-1);
    }
}
