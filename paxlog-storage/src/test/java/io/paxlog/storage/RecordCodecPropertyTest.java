package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.StoredEntry;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RecordCodecPropertyTest {

    @Property
    void every_record_type_decodes_to_what_was_encoded(@ForAll("records") WalRecord record,
            @ForAll @LongRange(min = 1) long segmentIndex, @ForAll @LongRange(min = 0, max = 1L << 40) long offset) {
        byte[] bytes = encode(record, segmentIndex, offset);

        assertThat(bytes).hasSize(RecordCodec.encodedBytes(record));
        assertThat(RecordCodec.lengthAt(bytes, 0)).isEqualTo(bytes.length);
        assertThat(RecordCodec.plausibleFrame(bytes, 0, bytes.length)).isTrue();
        assertThat(RecordCodec.checksumMatches(bytes, 0, bytes.length, segmentIndex, offset)).isTrue();
        assertThat(RecordCodec.decode(bytes, 0, bytes.length)).isEqualTo(record);
    }

    @Property
    void a_record_is_valid_only_at_the_place_it_was_written(@ForAll("records") WalRecord record,
            @ForAll @LongRange(min = 1, max = 1000) long segmentIndex, @ForAll @LongRange(min = 0, max = 1 << 20) long offset,
            @ForAll @LongRange(min = 1, max = 1 << 20) long shift) {
        byte[] bytes = encode(record, segmentIndex, offset);

        assertThat(RecordCodec.checksumMatches(bytes, 0, bytes.length, segmentIndex, offset + shift)).isFalse();
        assertThat(RecordCodec.checksumMatches(bytes, 0, bytes.length, segmentIndex + shift, offset)).isFalse();
    }

    @Property
    void every_single_bit_flip_breaks_the_checksum(@ForAll("records") WalRecord record,
            @ForAll @LongRange(min = 0, max = 10_000) long bitSeed) {
        byte[] bytes = encode(record, 3, 4096);
        int bit = (int) (bitSeed % (bytes.length * 8L));
        // The length field is not covered by the checksum but selects the bytes it covers.
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        int length = RecordCodec.lengthAt(bytes, 0);

        boolean accepted = length == bytes.length && RecordCodec.checksumMatches(bytes, 0, length, 3, 4096);
        assertThat(accepted).isFalse();
    }

    @Test
    void a_valid_checksum_over_a_malformed_body_is_refused_as_malformed_not_torn() {
        // A promise with a slot: the writer never produces it, so decode must refuse it.
        ByteBuffer out = ByteBuffer.allocate(64);
        RecordCodec.encode(new WalRecord.Finalize(7), 1, 128, out);
        byte[] bytes = java.util.Arrays.copyOf(out.array(), out.position());
        bytes[8] = RecordType.PROMISE.code;

        assertThatThrownBy(() -> RecordCodec.decode(bytes, 0, bytes.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("promise record with slot 7");
    }

    @Test
    void unknown_type_codes_are_rejected() {
        assertThat(RecordType.of((byte) 0)).isNull();
        assertThat(RecordType.of((byte) 5)).isNull();
        for (RecordType type : RecordType.values()) {
            assertThat(RecordType.of(type.code)).isSameAs(type);
        }
    }

    static byte[] encode(WalRecord record, long segmentIndex, long offset) {
        ByteBuffer out = ByteBuffer.allocate(RecordCodec.encodedBytes(record));
        RecordCodec.encode(record, segmentIndex, offset, out);
        return out.array();
    }

    @Provide
    Arbitrary<WalRecord> records() {
        Arbitrary<Epoch> epochs = Combinators.combine(
                Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as(Epoch::new);
        Arbitrary<Long> slots = Arbitraries.longs().between(1, Long.MAX_VALUE);
        Arbitrary<Command> commands = Arbitraries.oneOf(
                Arbitraries.just(Command.NOOP),
                Combinators.combine(Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
                        .as(Command::new));
        return Arbitraries.oneOf(
                epochs.map(WalRecord.Promise::new),
                Combinators.combine(slots, epochs, commands).as((s, e, c) -> new WalRecord.Entry(new StoredEntry(s, e, c))),
                slots.map(WalRecord.Finalize::new),
                Combinators.combine(slots, epochs).as(WalRecord.SnapshotMarker::new));
    }
}
