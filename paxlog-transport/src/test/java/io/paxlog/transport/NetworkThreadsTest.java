package io.paxlog.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientConnection;
import io.paxlog.transport.client.ClientConnectionConfig;
import io.paxlog.transport.client.ClientListener;
import io.paxlog.transport.client.ClientListenerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The public way to get event loops for client connections, without the internal package. */
@Timeout(30)
class NetworkThreadsTest {

    @Test
    void aClientConnectionOnNetworkThreadsIsAnsweredAndTheThreadsStop() throws Exception {
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ClientListener listener = ClientListener.start(ClientListenerConfig.defaults("demo", 1, anyPort),
                        (call, reply) -> reply.answer(ClientAnswer.applied(call.callId(), 7, call.payload())));
                NetworkThreads threads = NetworkThreads.start(1, "test-net")) {
            ClientConnection connection = ClientConnection.connect(
                    ClientConnectionConfig.defaults("demo", listener.listenAddress()), threads.group())
                    .get(5, TimeUnit.SECONDS);
            ClientAnswer answer = connection.call(new ClientCall(1, 3, 1, new byte[] {42})).get(5, TimeUnit.SECONDS);
            assertThat(answer.slot()).isEqualTo(7);
            connection.close();
            connection.closed().get(5, TimeUnit.SECONDS);
            assertThat(threads.close(NetworkThreads.CLOSE_TIMEOUT_DEFAULT)).isTrue();
            assertThat(threads.group().isTerminated()).isTrue();
        }
    }

    @Test
    void closingFromItsOwnThreadIsRefusedInsteadOfWaitingForItself() throws Exception {
        try (NetworkThreads threads = NetworkThreads.start(1, "test-net")) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            threads.group().next().execute(() -> {
                try {
                    threads.close();
                    thrown.complete(null);
                } catch (RuntimeException e) {
                    thrown.complete(e);
                }
            });
            assertThat(thrown.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            assertThat(threads.group().isShuttingDown()).isFalse();
        }
    }

    @Test
    void needsAtLeastOneThread() {
        assertThatThrownBy(() -> NetworkThreads.start(0, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
