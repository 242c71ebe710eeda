package io.paxlog.transport.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.paxlog.transport.Await;
import io.paxlog.transport.NetworkThreads;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real listener and real connections on loopback, on an ephemeral port. */
@Timeout(30)
class ClientProtocolTest {

    private static final String CLUSTER = "demo";
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final NetworkThreads network = NetworkThreads.start(1, "test-client");
    private final EventLoopGroup group = network.group();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        network.close(Duration.ofSeconds(5));
    }

    private ClientListener listen(ClientHandler handler) {
        ClientListener listener = ClientListener.start(ClientListenerConfig.defaults(CLUSTER, 4, ANY_PORT), handler);
        toClose.add(listener);
        return listener;
    }

    private ClientConnection connect(ClientListener listener, String clusterId) throws Exception {
        ClientConnection connection = ClientConnection.connect(
                ClientConnectionConfig.defaults(clusterId, listener.listenAddress()), group).get(5, TimeUnit.SECONDS);
        toClose.add(connection);
        return connection;
    }

    @Test
    void manyPipelinedCallsEachGetTheirOwnAnswerEvenWhenAnsweredOutOfOrder() throws Exception {
        List<ClientCall> calls = new ArrayList<>();
        List<ClientReplyChannel> replies = new ArrayList<>();
        ClientListener listener = listen((call, reply) -> {
            synchronized (calls) {
                calls.add(call);
                replies.add(reply);
            }
        });
        ClientConnection connection = connect(listener, CLUSTER);
        int count = 2000;
        List<CompletableFuture<ClientAnswer>> futures = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            futures.add(connection.call(new ClientCall(i, 77, i, ("cmd" + i).getBytes(StandardCharsets.UTF_8))));
        }
        Await.until("all calls received", Duration.ofSeconds(10), () -> {
            synchronized (calls) {
                return calls.size() == count;
            }
        });
        synchronized (calls) {
            assertThat(calls).extracting(ClientCall::sequence).isSorted();
            // Answer from another thread, in reverse: correlation is by call id, not by order.
            Thread answering = new Thread(() -> {
                for (int i = calls.size() - 1; i >= 0; i--) {
                    ClientCall call = calls.get(i);
                    replies.get(i).answer(ClientAnswer.applied(call.callId(), 1000 + call.sequence(), call.payload()));
                }
            });
            answering.start();
            answering.join(10_000);
        }
        for (int i = 1; i <= count; i++) {
            ClientAnswer answer = futures.get(i - 1).get(10, TimeUnit.SECONDS);
            assertThat(answer.callId()).isEqualTo(i);
            assertThat(answer.slot()).isEqualTo(1000 + i);
            assertThat(new String(answer.result(), StandardCharsets.UTF_8)).isEqualTo("cmd" + i);
        }
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void refusalsCarryTheirStatusLeaderHintAndMessage() throws Exception {
        ClientListener listener = listen((call, reply) ->
                reply.answer(ClientAnswer.refused(call.callId(), ClientAnswer.Status.NOT_LEADER, 2, "leader is 2")));
        ClientAnswer answer = connect(listener, CLUSTER).call(new ClientCall(5, 1, 1, new byte[0])).get(5, TimeUnit.SECONDS);
        assertThat(answer).isEqualTo(new ClientAnswer(5, ClientAnswer.Status.NOT_LEADER, 0, new byte[0], 2, "leader is 2"));
    }

    @Test
    void whenTheConnectionDropsEveryPendingCallFailsAsOutcomeUnknown() throws Exception {
        List<ClientReplyChannel> replies = new ArrayList<>();
        ClientListener listener = listen((call, reply) -> {
            synchronized (replies) {
                replies.add(reply);
            }
        });
        ClientConnection connection = connect(listener, CLUSTER);
        List<CompletableFuture<ClientAnswer>> futures = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            futures.add(connection.call(new ClientCall(i, 9, i, new byte[] {(byte) i})));
        }
        Await.until("calls received", Duration.ofSeconds(5), () -> {
            synchronized (replies) {
                return replies.size() == 10;
            }
        });
        listener.close();
        connection.closed().get(5, TimeUnit.SECONDS);
        for (CompletableFuture<ClientAnswer> future : futures) {
            assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ConnectionClosedException.class)
                    .hasMessageContaining("closed with 10 calls pending")
                    .hasMessageContaining("unknown");
        }
        assertThat(connection.pendingCalls()).isZero();
        assertThat(connection.isOpen()).isFalse();
        // Late answers to a gone connection are dropped quietly.
        replies.get(0).answer(ClientAnswer.applied(1, 1, new byte[0]));
        assertThat(replies.get(0).isOpen()).isFalse();
        // And a call made after the end fails at once.
        assertThatThrownBy(() -> connection.call(new ClientCall(11, 9, 11, new byte[0])).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void aClientOfAnotherClusterIsToldItsCallWasNotAppliedAndDisconnected() throws Exception {
        List<ClientCall> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        ClientListener listener = listen((call, reply) -> {
            handled.add(call);
            reply.answer(ClientAnswer.applied(call.callId(), 1, new byte[0]));
        });
        ClientConnection wrong = connect(listener, "other");
        ClientAnswer answer = wrong.call(new ClientCall(1, 1, 1, new byte[0])).get(5, TimeUnit.SECONDS);
        // Before: the connection closed with the call pending, which a client must report as unknown.
        assertThat(answer.status()).isEqualTo(ClientAnswer.Status.REJECTED);
        assertThat(answer.message()).contains("belongs to cluster '" + CLUSTER + "'").contains("nothing was applied");
        assertThat(handled).isEmpty();
        wrong.closed().get(5, TimeUnit.SECONDS);
        assertThat(wrong.isOpen()).isFalse();
        // The listener keeps serving everyone else.
        assertThat(connect(listener, CLUSTER).call(new ClientCall(2, 1, 2, new byte[0])).get(5, TimeUnit.SECONDS).status())
                .isEqualTo(ClientAnswer.Status.APPLIED);
    }

    @Test
    void aSilentConnectionIsClosedByTheReadTimeoutButAPingingClientStays() throws Exception {
        ClientListener listener = ClientListener.start(new ClientListenerConfig(CLUSTER, 4, ANY_PORT, 1 << 20, 1 << 20,
                Duration.ofMillis(500)), (call, reply) -> reply.answer(ClientAnswer.applied(call.callId(), 1, new byte[0])));
        toClose.add(listener);
        ClientConnection pinging = ClientConnection.connect(new ClientConnectionConfig(CLUSTER, listener.listenAddress(),
                1 << 20, Duration.ofSeconds(2), Duration.ofMillis(100)), group).get(5, TimeUnit.SECONDS);
        toClose.add(pinging);
        try (Socket silent = new Socket(listener.listenAddress().getAddress(), listener.listenAddress().getPort())) {
            silent.setSoTimeout(5000);
            InputStream in = silent.getInputStream();
            long start = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
        } catch (IOException reset) {
            // a reset is a close too
        }
        assertThat(pinging.isOpen()).isTrue();
        assertThat(pinging.call(new ClientCall(1, 1, 1, new byte[0])).get(5, TimeUnit.SECONDS).status())
                .isEqualTo(ClientAnswer.Status.APPLIED);
    }
}
