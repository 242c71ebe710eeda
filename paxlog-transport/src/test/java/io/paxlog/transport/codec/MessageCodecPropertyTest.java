package io.paxlog.transport.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Store;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MessageCodecPropertyTest {

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    @Property(tries = 2000)
    void everyMessageDecodesToWhatWasEncoded(@ForAll("messages") Message message) throws DecodeException {
        assertThat(MessageCodec.decode(MessageCodec.encode(message))).isEqualTo(message);
    }

    /** The encoder allocates exactly this much; a wrong size costs a grown and a trimmed copy of the body. */
    @Property(tries = 2000)
    void encodedBytesIsTheExactBodyLength(@ForAll("messages") Message message) {
        assertThat(MessageCodec.encodedBytes(message)).isEqualTo(MessageCodec.encode(message).length);
    }

    @Example
    void everyKindHasItsOwnCode() {
        Set<Byte> codes = new java.util.HashSet<>();
        for (MessageKind kind : MessageKind.values()) {
            assertThat(codes.add(MessageCodec.code(kind))).as("code of %s is unique", kind).isTrue();
        }
    }

    @Example
    void theGeneratorCoversEveryKind() {
        Set<MessageKind> seen = EnumSet.noneOf(MessageKind.class);
        MessageArbitraries.messages().sampleStream().limit(2000).forEach(m -> seen.add(m.kind()));
        assertThat(seen).containsExactlyInAnyOrder(MessageKind.values());
    }

    @Property(tries = 1000)
    void everyProperPrefixIsRefused(@ForAll("messages") Message message, @ForAll("fractions") double cut) {
        byte[] body = MessageCodec.encode(message);
        int length = (int) (cut * body.length);
        assertThatThrownBy(() -> MessageCodec.decode(Arrays.copyOf(body, length))).isInstanceOf(DecodeException.class);
    }

    @Property(tries = 1000)
    void trailingBytesAreRefused(@ForAll("messages") Message message, @ForAll byte extra) {
        byte[] body = MessageCodec.encode(message);
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        longer[body.length] = extra;
        assertThatThrownBy(() -> MessageCodec.decode(longer))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("unexpected bytes");
    }

    /** Corrupted bodies either decode to some valid message or are refused; nothing else escapes. */
    @Property(tries = 3000)
    void corruptedBodiesNeverThrowAnythingButDecodeException(
            @ForAll("messages") Message message, @ForAll("fractions") double where, @ForAll byte mask, @ForAll int value) {
        byte[] body = MessageCodec.encode(message);
        int index = Math.min(body.length - 1, (int) (where * body.length));
        body[index] ^= (mask == 0 ? 1 : mask);
        if (index + 4 <= body.length && (value & 1) == 0) {
            ByteBuffer.wrap(body).putInt(index, value); // hits counts and lengths with any int
        }
        try {
            Message decoded = MessageCodec.decode(body);
            assertThat(decoded).isNotNull();
        } catch (DecodeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1).filter(d -> d < 1);
    }

    @Example
    void aHugeCountIsRefusedBeforeAnythingIsAllocatedForIt() {
        byte[] body = MessageCodec.encode(new Store(new Epoch(1, 1), java.util.List.of(
                new io.paxlog.api.message.SlotCommand(1, io.paxlog.api.Command.NOOP))));
        ByteBuffer.wrap(body).putInt(1 + 12, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MessageCodec.decode(body))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("entry count 2147483647 does not fit");
    }

    @Example
    void valuesTheRecordsRefuseBecomeDecodeErrors() {
        byte[] body = MessageCodec.encode(new Overthrow(new Epoch(5, 2)));
        ByteBuffer.wrap(body).putLong(1, -5);
        assertThatThrownBy(() -> MessageCodec.decode(body))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("epoch round must be >= 0");
    }

    @Example
    void thePreVoteKindsKeepTheirCodesAndFields() throws DecodeException {
        assertThat(MessageCodec.code(MessageKind.PRE_OVERTHROW)).isEqualTo((byte) 14);
        assertThat(MessageCodec.code(MessageKind.PRE_OVERTHROW_REPLY)).isEqualTo((byte) 15);
        Message ask = new PreOverthrow(new Epoch(8, 3));
        Message granted = new PreOverthrowReply(new Epoch(8, 3), new Epoch(7, 1), true);
        Message declined = new PreOverthrowReply(new Epoch(8, 3), new Epoch(9, 2), false);
        for (Message message : java.util.List.of(ask, granted, declined)) {
            assertThat(MessageCodec.decode(MessageCodec.encode(message))).isEqualTo(message);
        }
        assertThat(MessageCodec.encode(ask)).hasSize(1 + 12);
        assertThat(MessageCodec.encode(granted)).hasSize(1 + 12 + 12 + 1);
    }

    @Example
    void aGrantedPreVoteBelowThePromiseIsRefused() {
        byte[] body = MessageCodec.encode(new PreOverthrowReply(new Epoch(8, 3), new Epoch(9, 2), false));
        body[body.length - 1] = 1; // now claims a grant of 8.3 by a server that promised 9.2
        assertThatThrownBy(() -> MessageCodec.decode(body))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("cannot be granted");
    }

    @Example
    void anUnknownKindIsRefused() {
        assertThatThrownBy(() -> MessageCodec.decode(new byte[] {99, 0, 0}))
                .isInstanceOf(DecodeException.class)
                .hasMessage("unknown message kind code 99");
        assertThatThrownBy(() -> MessageCodec.decode(new byte[0])).isInstanceOf(DecodeException.class);
    }
}
