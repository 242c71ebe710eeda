package io.paxlog.transport.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.transport.codec.DecodeException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ClientCodecPropertyTest {

    @Provide
    Arbitrary<ClientCall> calls() {
        Arbitrary<ClientCall> commands = Combinators.combine(Arbitraries.longs(), Arbitraries.longs().greaterOrEqual(1),
                        Arbitraries.longs().greaterOrEqual(1), Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as(ClientCall::new);
        Arbitrary<ClientCall> reads = Combinators.combine(Arbitraries.longs(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as(ClientCall::read);
        Arbitrary<ClientCall> registers = Arbitraries.longs().map(ClientCall::register);
        Arbitrary<ClientCall> keepAlives = Combinators.combine(Arbitraries.longs(), Arbitraries.longs().greaterOrEqual(1))
                .as(ClientCall::keepAlive);
        return Arbitraries.oneOf(commands, reads, registers, keepAlives);
    }

    @Provide
    Arbitrary<ClientAnswer> answers() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.of(ClientAnswer.Status.class),
                        Arbitraries.longs().greaterOrEqual(0), Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                        Arbitraries.integers().greaterOrEqual(0), Arbitraries.strings().ofMaxLength(40))
                .as(ClientAnswer::new);
    }

    @Property(tries = 1000)
    void callsRoundTrip(@ForAll("calls") ClientCall call) throws DecodeException {
        assertThat(ClientCodec.decodeCall(ClientCodec.encodeCall(call))).isEqualTo(call);
    }

    @Property(tries = 1000)
    void answersRoundTrip(@ForAll("answers") ClientAnswer answer) throws DecodeException {
        assertThat(ClientCodec.decodeAnswer(ClientCodec.encodeAnswer(answer))).isEqualTo(answer);
    }

    @Property(tries = 1000)
    void corruptedOrCutBodiesNeverThrowAnythingButDecodeException(
            @ForAll("calls") ClientCall call, @ForAll("answers") ClientAnswer answer, @ForAll int where, @ForAll byte mask) {
        for (byte[] body : new byte[][] {ClientCodec.encodeCall(call), ClientCodec.encodeAnswer(answer)}) {
            byte[] corrupted = body.clone();
            corrupted[Math.floorMod(where, corrupted.length)] ^= (mask == 0 ? 1 : mask);
            byte[] cut = Arrays.copyOf(body, Math.floorMod(where, body.length));
            for (byte[] bad : new byte[][] {corrupted, cut}) {
                try {
                    ClientCodec.decodeCall(bad);
                } catch (DecodeException expected) {
                    // refused is fine; anything else fails the property
                }
                try {
                    ClientCodec.decodeAnswer(bad);
                } catch (DecodeException expected) {
                    // refused is fine
                }
            }
            assertThatThrownBy(() -> ClientCodec.decodeCall(cut)).isInstanceOf(DecodeException.class);
        }
    }

    @Example
    void anUnknownStatusOrCallKindIsRefused() {
        byte[] answer = ClientCodec.encodeAnswer(ClientAnswer.applied(7, 3, new byte[] {1}));
        answer[8] = 42;
        assertThatThrownBy(() -> ClientCodec.decodeAnswer(answer)).isInstanceOf(DecodeException.class)
                .hasMessage("unknown answer status 42");

        byte[] call = ClientCodec.encodeCall(new ClientCall(1, 2, 3, new byte[0]));
        for (byte unknown : new byte[] {0, 5, 42, -1}) {
            call[0] = unknown;
            assertThatThrownBy(() -> ClientCodec.decodeCall(call)).isInstanceOf(DecodeException.class)
                    .hasMessage("unknown call kind " + unknown);
        }
    }

    @Example
    void aReadIsKindTwoWithCallIdAndQueryOnly() throws DecodeException {
        byte[] body = ClientCodec.encodeCall(ClientCall.read(0x0102030405060708L, new byte[] {9, 8}));
        assertThat(body).containsExactly(2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 2, 9, 8);
        ClientCall decoded = ClientCodec.decodeCall(body);
        assertThat(decoded.kind()).isEqualTo(ClientCall.Kind.READ);
        assertThat(decoded.clientId()).isZero();
        assertThat(decoded.sequence()).isZero();
        assertThat(decoded.payload()).containsExactly(9, 8);
    }

    @Example
    void aCommandBodyIsUnchangedByTheReadKind() {
        // The layout of kind 1 is what clients before reads sent; it must not move.
        byte[] body = ClientCodec.encodeCall(new ClientCall(1, 2, 3, new byte[] {7}));
        assertThat(body).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3,
                0, 0, 0, 1, 7);
    }

    @Example
    void aCommandBodyReadAsAReadIsRefusedNotMisread() {
        // A command whose kind byte was flipped to READ has 16 bytes too many for a read's layout.
        byte[] body = ClientCodec.encodeCall(new ClientCall(1, 2, 3, new byte[0]));
        body[0] = ClientCall.Kind.READ.code();
        assertThatThrownBy(() -> ClientCodec.decodeCall(body)).isInstanceOf(DecodeException.class);
    }

    @Example
    void aReadCarriesNoClientIdOrSequence() {
        assertThatThrownBy(() -> new ClientCall(1, ClientCall.Kind.READ, 5, 0, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientCall(1, ClientCall.Kind.READ, 0, 5, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void aCallWithClientIdZeroIsRefusedAsADecodeError() {
        byte[] call = ClientCodec.encodeCall(new ClientCall(1, 2, 3, new byte[0]));
        for (int i = 9; i < 17; i++) {
            call[i] = 0;
        }
        assertThatThrownBy(() -> ClientCodec.decodeCall(call)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("invalid call");
    }
}
