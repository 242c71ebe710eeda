package io.paxlog.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Query;
import io.paxlog.transport.codec.MessageCodec;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The receiving pipeline of a peer connection, fed bytes directly. */
@Timeout(10)
class InboundPeerHandlerTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    private static final PeerNetworkConfig CONFIG = PeerNetworkConfig.of("demo", 1, ADDRESS, Map.of(2, ADDRESS, 3, ADDRESS));

    private final List<Envelope> delivered = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    InboundPeerHandlerTest() {
        InboundPeerHandler.configure(channel.pipeline(), CONFIG, delivered::add, new Counters());
    }

    private void feed(String clusterId, Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        FrameFormat.write(buf, FrameFormat.clusterTag(clusterId), frame);
        if (channel.isOpen()) {
            channel.writeInbound(buf);
        }
    }

    private static Frame hello(int from) {
        return new Frame(FrameType.PEER_HELLO, from, Frame.EMPTY);
    }

    private static Frame query(int from) {
        return new Frame(FrameType.PEER_MESSAGE, from, MessageCodec.encode(new Query(new Epoch(4, from))));
    }

    @Test
    void aKnownPeerIsAnsweredWithOurHelloAndItsMessagesAreDelivered() {
        feed("demo", hello(2));
        feed("demo", query(2));
        assertThat(channel.isOpen()).isTrue();
        assertThat(delivered).containsExactly(new Envelope(2, 1, new Query(new Epoch(4, 2))));
        ByteBuf answer = channel.readOutbound();
        assertThat(answer.getInt(10)).as("sender id of our hello").isEqualTo(1);
        answer.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void anUnknownSenderIdIsDisconnectedAtItsHello() {
        feed("demo", hello(9));
        feed("demo", query(9));
        assertThat(channel.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void ourOwnIdIsRefused() {
        feed("demo", hello(1));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMessageBeforeTheHelloIsRefused() {
        feed("demo", query(2));
        assertThat(channel.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void aSenderThatChangesItsIdAfterTheHelloIsRefused() {
        feed("demo", hello(2));
        feed("demo", query(3));
        assertThat(channel.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void aFrameOfAnotherClusterIsRefused() {
        feed("other", hello(2));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aWellFramedButUndecodableMessageClosesTheConnectionWithoutDelivering() {
        feed("demo", hello(2));
        feed("demo", new Frame(FrameType.PEER_MESSAGE, 2, new byte[] {1, 0, 0}));
        assertThat(channel.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }
}
