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
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs().greaterOrEqual(1),
                        Arbitraries.longs().greaterOrEqual(1), Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as(ClientCall::new);
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
        call[0] = 2;
        assertThatThrownBy(() -> ClientCodec.decodeCall(call)).isInstanceOf(DecodeException.class)
                .hasMessage("unknown call kind 2");
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
