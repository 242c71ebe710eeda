package io.paxlog.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientAnswer.Status;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PaxlogClient#query} against listeners playing a cluster ({@link FakeCluster}). */
@Timeout(60)
class PaxlogClientQueryTest {

    private FakeCluster cluster;
    private final List<PaxlogClient> clients = new ArrayList<>();
    /** Every call any server got: (server, call). */
    private final List<Object[]> calls = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeEverything() {
        clients.forEach(PaxlogClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private PaxlogClient client(UnaryOperator<PaxlogClient.Builder> settings) {
        PaxlogClient client = settings.apply(PaxlogClient.builder()
                .servers(cluster.addresses())
                .clusterId(FakeCluster.CLUSTER)
                .clientId(42)
                .requestTimeout(Duration.ofSeconds(20))).build();
        clients.add(client);
        return client;
    }

    /** Server {@code self} records every call, answers reads with {@code reads}, and commands as the fake cluster does. */
    private void behave(int self, ClientHandler reads) {
        ClientHandler normal = cluster.normal(self);
        cluster.behave(self, (call, reply) -> {
            calls.add(new Object[] {self, call});
            if (call.kind() == ClientCall.Kind.READ) {
                reads.call(call, reply);
            } else {
                normal.call(call, reply);
            }
        });
    }

    /** A read answered as a real server of the fake cluster would: the leader answers, the others redirect. */
    private ClientHandler readsAsACluster(int self) {
        return (call, reply) -> {
            int leader = cluster.leader;
            if (leader == self) {
                reply.answer(ClientAnswer.applied(call.callId(), 7, ("read:" + text(call.payload())).getBytes(StandardCharsets.UTF_8)));
            } else if (leader == 0) {
                reply.answer(ClientAnswer.refused(call.callId(), Status.NO_QUORUM, 0, "no leader"));
            } else {
                reply.answer(ClientAnswer.refused(call.callId(), Status.NOT_LEADER, leader, "not leader"));
            }
        };
    }

    private void everyServerNormal() {
        for (int id = 1; id <= 3; id++) {
            behave(id, readsAsACluster(id));
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<Result> future) throws Exception {
        try {
            Result result = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aQueryFollowsTheHintToTheLeaderAsAReadCallAndTakesNoSequence() throws Exception {
        cluster = new FakeCluster(3, 2);
        everyServerNormal();
        PaxlogClient client = client(b -> b);

        Result result = client.query("k".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        client.call("cmd".getBytes(StandardCharsets.UTF_8));

        assertThat(result).isEqualTo(new Result(7, "read:k".getBytes(StandardCharsets.UTF_8)));
        List<ClientCall> reads = calls.stream().map(c -> (ClientCall) c[1]).filter(c -> c.kind() == ClientCall.Kind.READ).toList();
        assertThat(calls.stream().filter(c -> ((ClientCall) c[1]).kind() == ClientCall.Kind.READ).map(c -> (int) c[0]))
                .containsExactly(1, 2);
        assertThat(reads).allSatisfy(c -> {
            assertThat(c.clientId()).isZero();
            assertThat(c.sequence()).isZero();
        });
        assertThat(cluster.sequencesSeenBy(2).stream().filter(s -> s != 0)).as("the command after the query")
                .containsExactly(1L);
        assertThat(client.leaderId()).isEqualTo(2);
    }

    @Test
    void aBlockingQueryReturnsTheResult() throws Exception {
        cluster = new FakeCluster(3, 1);
        everyServerNormal();

        assertThat(client(b -> b).queryAndWait("x".getBytes(StandardCharsets.UTF_8)).value())
                .isEqualTo("read:x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aQueryWithNoAnswerTimesOutAsNotAppliedAndSafeToRetry() throws Exception {
        cluster = new FakeCluster(3, 1);
        everyServerNormal();
        behave(1, (call, reply) -> { }); // the leader never answers reads
        PaxlogClient client = client(b -> b.requestTimeout(Duration.ofMillis(400)));

        Throwable failure = failure(client.query(new byte[] {1}));

        assertThat(failure).isInstanceOf(QueryTimeoutException.class)
                .hasMessageContaining("timed out after 400 ms").hasMessageContaining("asking again is safe");
        assertThat(((PaxlogClientException) failure).mayHaveBeenApplied()).isFalse();
        assertThat(((PaxlogClientException) failure).sequence()).isZero();
        assertThatThrownBy(() -> client.queryAndWait(new byte[] {1})).isInstanceOf(QueryTimeoutException.class);
    }

    @Test
    void aServerErrorOrADroppedConnectionSendsTheQueryToAnotherServer() throws Exception {
        cluster = new FakeCluster(3, 0);
        behave(1, (call, reply) -> reply.answer(ClientAnswer.refused(call.callId(), Status.ERROR, 0, "stopping")));
        // Closing a listener waits for its event loops, so not from one of them.
        behave(2, (call, reply) -> new Thread(() -> cluster.stop(2)).start());
        behave(3, (call, reply) -> reply.answer(ClientAnswer.applied(call.callId(), 9, new byte[] {3})));
        PaxlogClient client = client(b -> b);

        Result result = client.query(new byte[0]).get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(new Result(9, new byte[] {3}));
        assertThat(calls.stream().map(c -> (int) c[0])).containsExactly(1, 2, 3);
    }

    @Test
    void aRejectedQueryFailsAtOnceAsRejected() throws Exception {
        cluster = new FakeCluster(3, 1);
        behave(1, (call, reply) -> reply.answer(ClientAnswer.refused(call.callId(), Status.REJECTED, 0,
                "query refused: a kv query must be a get or a list")));
        PaxlogClient client = client(b -> b);

        Throwable failure = failure(client.query(new byte[] {1}));

        assertThat(failure).isInstanceOf(CommandRejectedException.class).hasMessageContaining("must be a get or a list");
        assertThat(calls).hasSize(1);
    }

    @Test
    void withNoLeaderAnywhereAQueryIsUnavailableNeverOutcomeUnknown() throws Exception {
        cluster = new FakeCluster(3, 0);
        everyServerNormal();
        PaxlogClient client = client(b -> b.noLeaderTimeout(Duration.ofMillis(300)));

        Throwable failure = failure(client.query(new byte[] {1}));

        assertThat(failure).isInstanceOf(UnavailableException.class).hasMessageContaining("no server led");
        assertThat(calls.stream().map(c -> (int) c[0])).contains(1, 2, 3);
    }

    @Test
    void queriesInFlightAreBoundedByMaxWaitingAndClosingFailsThemAsNotApplied() throws Exception {
        cluster = new FakeCluster(3, 1);
        behave(1, (call, reply) -> { });
        PaxlogClient client = client(b -> b.maxWaiting(2));
        CompletableFuture<Result> first = client.query(new byte[] {1});
        CompletableFuture<Result> second = client.query(new byte[] {2});

        Throwable third = failure(client.query(new byte[] {3}));
        client.close();

        assertThat(third).isExactlyInstanceOf(CommandNotAppliedException.class).hasMessageContaining("maxWaiting 2");
        assertThat(failure(first)).isExactlyInstanceOf(CommandNotAppliedException.class).hasMessageContaining("closed");
        assertThat(failure(second)).isExactlyInstanceOf(CommandNotAppliedException.class);
    }
}
