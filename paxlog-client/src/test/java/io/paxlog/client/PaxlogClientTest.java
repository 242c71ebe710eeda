package io.paxlog.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientAnswer.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against three real listeners on loopback that play a cluster ({@link FakeCluster}): what
 * the "servers" saw, especially which sequences, is the evidence.
 */
@Timeout(60)
class PaxlogClientTest {

    private FakeCluster cluster;
    private final List<PaxlogClient> clients = new ArrayList<>();
    private final List<FakeCluster.Parked> parked = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeEverything() {
        for (PaxlogClient client : clients) {
            client.close();
        }
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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The exception a future failed with. */
    private static Throwable failure(CompletableFuture<Result> future) throws Exception {
        try {
            Result result = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + result);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private void park(int server) {
        cluster.behave(server, (call, reply) -> parked.add(new FakeCluster.Parked(call, reply)));
    }

    private void awaitParked(int count) {
        Await.until(count + " calls parked", Duration.ofSeconds(10), () -> parked.size() >= count);
    }

    @Test
    void findsTheLeaderThroughAFollowersHintAndThenSendsThereDirectly() throws Exception {
        cluster = new FakeCluster(3, 2);
        PaxlogClient client = client(b -> b);

        for (int i = 1; i <= 10; i++) {
            Result result = client.call(bytes("cmd" + i));
            assertThat(text(result.value())).isEqualTo("r" + i);
            assertThat(result.slot()).isEqualTo(i);
        }

        // The first server listed was asked once (for the session: the register, which FakeCluster does
        // not record), pointed at 2, and never asked again: no command went there.
        assertThat(cluster.sequencesSeenBy(1)).isEmpty();
        assertThat(cluster.sequencesSeenBy(2)).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(cluster.sequencesSeenBy(3)).isEmpty();
        assertThat(cluster.seen()).allMatch(seen -> seen.clientId() == 42);
        assertThat(client.leaderId()).isEqualTo(2);
    }

    @Test
    void aClientGivenAnotherClustersIdIsToldSoAndThatNothingWasApplied() throws Exception {
        cluster = new FakeCluster(3, 1);
        PaxlogClient client = client(b -> b.clusterId("not-" + FakeCluster.CLUSTER));

        // Before: the servers closed the connection unanswered, and the client could only say
        // "no quorum ... outcome unknown ... may apply twice".
        assertThatThrownBy(() -> client.call(bytes("a")))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.getMessage())
                        .contains("belongs to cluster '" + FakeCluster.CLUSTER + "'", "nothing was applied"));
        assertThat(cluster.seen()).isEmpty();
    }

    @Test
    void notLeaderWithoutAUsableHintSendsTheCommandToTheNextServer() throws Exception {
        cluster = new FakeCluster(3, 2);
        // Server 1 names a leader the client does not know of: as good as no hint.
        cluster.behave(1, (call, reply) ->
                reply.answer(ClientAnswer.refused(call.callId(), Status.NOT_LEADER, 9, "9 leads")));
        PaxlogClient client = client(b -> b);

        // The register (not recorded) went to 1 first, was pointed at 9, and moved on to 2, which opened
        // the session; the command then went to 2 alone.
        assertThat(text(client.call(bytes("a")).value())).isEqualTo("r1");
        assertThat(cluster.seen()).containsExactly(new FakeCluster.Seen(2, 42, 1));
    }

    @Test
    void aLeaderChangeMidStreamIsFollowedAndEveryRefusedCommandIsRetriedWithItsOwnSequence() throws Exception {
        cluster = new FakeCluster(3, 1);
        // Server 1 applies up to sequence 50, then holds on to what it gets, as a leader about to be
        // deposed; once deposed it points at 3. Parking and deposing share a lock, so no call is parked
        // after the parked ones were answered.
        AtomicInteger deposed = new AtomicInteger();
        cluster.behave(1, (call, reply) -> {
            synchronized (parked) {
                if (deposed.get() == 1) {
                    reply.answer(ClientAnswer.refused(call.callId(), Status.NOT_LEADER, 3, "3 leads"));
                } else if (call.sequence() <= 50) {
                    reply.answer(cluster.apply(call));
                } else {
                    parked.add(new FakeCluster.Parked(call, reply));
                }
            }
        });
        PaxlogClient client = client(b -> b.maxOutstanding(32));
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            futures.add(client.submit(bytes("cmd" + i)));
        }
        awaitParked(10);

        // Deposed: server 3 leads now; server 1 tells its waiting clients so, and everyone new too.
        cluster.leader = 3;
        synchronized (parked) {
            deposed.set(1);
            for (FakeCluster.Parked p : parked) {
                p.reply().answer(ClientAnswer.refused(p.call().callId(), Status.NOT_LEADER, 3, "deposed; 3 leads"));
            }
        }

        for (int i = 1; i <= 200; i++) {
            Result result = futures.get(i - 1).get(20, TimeUnit.SECONDS);
            assertThat(text(result.value())).as("result of the %dth submit", i).isEqualTo("r" + i);
        }
        List<Long> refusedBy1 = cluster.sequencesSeenBy(1).stream().filter(s -> s > 50).toList();
        assertThat(refusedBy1).isNotEmpty();
        // Each command refused by the old leader reached the new one with the same sequence, and the
        // new leader never saw a sequence the old one had applied.
        assertThat(cluster.sequencesSeenBy(3)).containsAll(refusedBy1).allMatch(s -> s > 50);
        assertThat(cluster.sequencesSeenBy(3)).doesNotHaveDuplicates();
        assertThat(client.leaderId()).isEqualTo(3);
    }

    @Test
    void aServerThatDropsTheConnectionWithCallsPendingHasThemRetriedElsewhereWithTheSameSequences() throws Exception {
        cluster = new FakeCluster(3, 1);
        park(1);
        PaxlogClient client = client(b -> b);
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            futures.add(client.submit(bytes("cmd" + i)));
        }
        awaitParked(20);

        cluster.leader = 2;
        cluster.stop(1);

        for (int i = 1; i <= 20; i++) {
            assertThat(text(futures.get(i - 1).get(20, TimeUnit.SECONDS).value())).isEqualTo("r" + i);
        }
        List<Long> all = LongStream.rangeClosed(1, 20).boxed().toList();
        assertThat(cluster.sequencesSeenBy(1)).containsExactlyElementsOf(all);
        assertThat(cluster.sequencesSeenBy(2)).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void whenEveryServerAnswersNoQuorumCommandsFailFastWithNoQuorumAndResumeOnceALeaderIsBack() throws Exception {
        cluster = new FakeCluster(3, 1);
        PaxlogClient client = client(b -> b.noLeaderTimeout(Duration.ofMillis(500)));
        assertThat(text(client.call(bytes("with a session open")).value())).isEqualTo("r1");
        cluster.leader = 0;

        long start = System.nanoTime();
        Throwable first = failure(client.submit(bytes("a")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(first).isInstanceOf(NoQuorumException.class).isInstanceOf(OutcomeUnknownException.class);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(10));
        assertThat(first.getMessage()).contains("command c42 s42#2", "no quorum", "NO_QUORUM",
                cluster.address(1), cluster.address(2), cluster.address(3));
        assertThat(((PaxlogClientException) first).mayHaveBeenApplied()).isTrue();
        // Every server was tried, each with the same sequence.
        assertThat(cluster.seen()).filteredOn(seen -> seen.sequence() == 2).extracting(FakeCluster.Seen::server)
                .contains(1, 2, 3);
        assertThat(cluster.seen()).extracting(FakeCluster.Seen::sequence).containsOnly(1L, 2L);

        // The client already knows there is no leader: the next command fails after one round trip.
        start = System.nanoTime();
        assertThat(failure(client.submit(bytes("b")))).isInstanceOf(NoQuorumException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));

        cluster.leader = 3;
        assertThat(text(client.call(bytes("c")).value())).isEqualTo("r4");
    }

    @Test
    void aCommandSubmittedWhileTheServersHoldTheirFirstElectionWaitsForTheLeaderInsteadOfFailingAtTheNoLeaderTimeout()
            throws Exception {
        cluster = new FakeCluster(3, 0);
        PaxlogClient client = client(b -> b.requestTimeout(Duration.ofSeconds(5)));

        long start = System.nanoTime();
        CompletableFuture<Result> first = client.submit(bytes("a"));
        // The servers just started: their first election ends after twice the default no-leader timeout.
        CompletableFuture.runAsync(() -> cluster.leader = 2,
                CompletableFuture.delayedExecutor(2 * PaxlogClient.Builder.NO_LEADER_TIMEOUT_DEFAULT.toMillis(),
                        TimeUnit.MILLISECONDS));

        assertThat(text(first.get(20, TimeUnit.SECONDS).value())).isEqualTo("r1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(client.leaderId()).isEqualTo(2);
    }

    @Test
    void whenNoServerCanBeReachedCommandsFailFastAsUnavailableAndNotApplied() throws Exception {
        cluster = new FakeCluster(3, 1);
        PaxlogClient client = client(b -> b.noLeaderTimeout(Duration.ofMillis(300)));
        for (int server = 1; server <= 3; server++) {
            cluster.stop(server);
        }

        Throwable failure = failure(client.submit(bytes("a")));

        assertThat(failure).isInstanceOf(UnavailableException.class).isInstanceOf(CommandNotAppliedException.class);
        assertThat(((PaxlogClientException) failure).mayHaveBeenApplied()).isFalse();
        assertThat(failure.getMessage()).contains("unavailable", "unreachable", "not applied",
                cluster.address(1), cluster.address(2), cluster.address(3));
    }

    @Test
    void aServerThatNeverAnswersLeavesTheOutcomeUnknownAtTheRequestTimeout() throws Exception {
        cluster = new FakeCluster(3, 1);
        park(1);
        PaxlogClient client = client(b -> b.requestTimeout(Duration.ofMillis(700)));

        long start = System.nanoTime();
        Throwable failure = failure(client.submit(bytes("a")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isExactlyInstanceOf(OutcomeUnknownException.class);
        assertThat(failure.getMessage()).contains("command c42 s42#1", "outcome unknown after 700 ms",
                "may or may not have been applied", cluster.address(1));
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(700)).isLessThan(Duration.ofSeconds(10));
        assertThat(cluster.sequencesSeenBy(1)).containsExactly(1L);
    }

    @Test
    void busyIsRetriedAfterABackoffWithTheSameSequenceUntilApplied() throws Exception {
        cluster = new FakeCluster(3, 1);
        AtomicInteger busy = new AtomicInteger(3);
        cluster.behave(1, (call, reply) -> reply.answer(busy.getAndDecrement() > 0
                ? ClientAnswer.refused(call.callId(), Status.BUSY, 0, "queue full")
                : cluster.apply(call)));
        PaxlogClient client = client(b -> b);

        assertThat(text(client.call(bytes("a")).value())).isEqualTo("r1");
        assertThat(cluster.sequencesSeenBy(1)).containsExactly(1L, 1L, 1L, 1L);
    }

    @Test
    void rejectedFailsAtOnceWithTheServersMessageAsNotAppliedAndIsNotRetried() throws Exception {
        cluster = new FakeCluster(3, 1);
        cluster.behave(1, (call, reply) ->
                reply.answer(ClientAnswer.refused(call.callId(), Status.REJECTED, 0, "command of 9 MiB is too large")));
        PaxlogClient client = client(b -> b);

        assertThatThrownBy(() -> client.call(bytes("a")))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> {
                    assertThat(e.serverMessage()).isEqualTo("command of 9 MiB is too large");
                    assertThat(e.serverId()).isEqualTo(1);
                    assertThat(e.mayHaveBeenApplied()).isFalse();
                    assertThat(e.sequence()).isEqualTo(1);
                })
                .hasMessageContaining("rejected by 1=" + cluster.address(1));
        assertThat(cluster.sequencesSeenBy(1)).containsExactly(1L);
    }

    @Test
    void aServerErrorLeavesTheOutcomeUnknownAndIsNotRetried() throws Exception {
        cluster = new FakeCluster(3, 1);
        cluster.behave(1, (call, reply) ->
                reply.answer(ClientAnswer.refused(call.callId(), Status.ERROR, 0, "server 1 is stopping")));
        PaxlogClient client = client(b -> b);

        assertThatThrownBy(() -> client.call(bytes("a")))
                .isInstanceOfSatisfying(ServerErrorException.class, e ->
                        assertThat(e.serverMessage()).isEqualTo("server 1 is stopping"))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThat(cluster.sequencesSeenBy(1)).containsExactly(1L);
    }

    @Test
    void aThousandPipelinedSubmitsCompleteInSequenceOrderNeverMoreThanMaxOutstandingInFlight() throws Exception {
        cluster = new FakeCluster(3, 1);
        int maxOutstanding = 16;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        // The leader answers in batches, once a full window is in or the client went quiet: a client
        // that pipelines fills the window; one that exceeds it shows above the maximum.
        cluster.behave(1, (call, reply) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            parked.add(new FakeCluster.Parked(call, reply));
        });
        Thread answerer = new Thread(() -> {
            long lastArrival = System.nanoTime();
            int lastSize = 0;
            while (!Thread.currentThread().isInterrupted()) {
                List<FakeCluster.Parked> batch = List.of();
                synchronized (parked) {
                    if (parked.size() != lastSize) {
                        lastSize = parked.size();
                        lastArrival = System.nanoTime();
                    }
                    if (parked.size() >= maxOutstanding
                            || (!parked.isEmpty() && System.nanoTime() - lastArrival > 50_000_000L)) {
                        batch = new ArrayList<>(parked);
                        parked.clear();
                        lastSize = 0;
                    }
                }
                for (FakeCluster.Parked p : batch) {
                    inFlight.decrementAndGet();
                    p.reply().answer(cluster.apply(p.call()));
                }
                LockSupport.parkNanos(200_000); // the machine is shared: poll, do not spin
            }
        }, "answerer");
        answerer.setDaemon(true);
        answerer.start();
        try {
            PaxlogClient client = client(b -> b.maxOutstanding(maxOutstanding));
            List<Long> completed = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Result>> futures = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                long sequence = i;
                futures.add(client.submit(bytes("cmd" + i)).whenComplete((r, e) -> completed.add(sequence)));
            }
            for (int i = 1; i <= 1000; i++) {
                assertThat(text(futures.get(i - 1).get(30, TimeUnit.SECONDS).value())).isEqualTo("r" + i);
            }
            Await.until("all callbacks ran", Duration.ofSeconds(5), () -> completed.size() == 1000);
            assertThat(completed).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
            assertThat(maxInFlight.get()).isEqualTo(maxOutstanding);
            assertThat(cluster.sequencesSeenBy(1)).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
        } finally {
            answerer.interrupt();
            answerer.join(5000);
        }
    }

    @Test
    void anUnansweredOldestCommandHoldsBackSequencesBeyondTheWindow() throws Exception {
        cluster = new FakeCluster(3, 1);
        // Server 1 keeps sequence 1 and applies the rest: the window is a span of sequences, not a
        // count, because the servers' exactly-once window is one.
        cluster.behave(1, (call, reply) -> {
            if (call.sequence() == 1) {
                parked.add(new FakeCluster.Parked(call, reply));
            } else {
                reply.answer(cluster.apply(call));
            }
        });
        PaxlogClient client = client(b -> b.maxOutstanding(8));
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            futures.add(client.submit(bytes("cmd" + i)));
        }
        for (int i = 2; i <= 8; i++) {
            futures.get(i - 1).get(10, TimeUnit.SECONDS);
        }
        awaitParked(1);
        // Nothing to wait for here: a wrong client would send sequence 9 now. Give it the chance.
        Thread.sleep(200);
        assertThat(cluster.sequencesSeenBy(1)).containsExactlyElementsOf(LongStream.rangeClosed(1, 8).boxed().toList());

        FakeCluster.Parked first = parked.get(0);
        first.reply().answer(cluster.apply(first.call()));
        for (int i = 1; i <= 20; i++) {
            assertThat(text(futures.get(i - 1).get(10, TimeUnit.SECONDS).value())).isEqualTo("r" + i);
        }
    }

    @Test
    void closingFailsSentCommandsAsUnknownWaitingOnesAsNotSentAndRefusesLaterSubmits() throws Exception {
        cluster = new FakeCluster(3, 1);
        park(1);
        PaxlogClient client = client(b -> b.maxOutstanding(2));
        CompletableFuture<Result> first = client.submit(bytes("a"));
        CompletableFuture<Result> second = client.submit(bytes("b"));
        CompletableFuture<Result> third = client.submit(bytes("c"));
        awaitParked(2);

        client.close();

        assertThat(failure(first)).isExactlyInstanceOf(OutcomeUnknownException.class).hasMessageContaining("closed");
        assertThat(failure(second)).isExactlyInstanceOf(OutcomeUnknownException.class);
        assertThat(failure(third)).isExactlyInstanceOf(CommandNotAppliedException.class).hasMessageContaining("not sent");
        assertThat(failure(client.submit(bytes("d")))).isExactlyInstanceOf(CommandNotAppliedException.class);
        assertThat(cluster.sequencesSeenBy(1)).containsExactly(1L, 2L);
    }

    @Test
    void whenTheWindowIsFullAndNoWaitingIsAllowedASubmitFailsAtOnceAsNotSent() throws Exception {
        cluster = new FakeCluster(3, 1);
        park(1);
        PaxlogClient client = client(b -> b.maxOutstanding(1).maxWaiting(0));
        client.submit(bytes("a"));
        awaitParked(1);

        assertThat(failure(client.submit(bytes("b"))))
                .isExactlyInstanceOf(CommandNotAppliedException.class)
                .hasMessageContaining("maxOutstanding 1");
    }

    @Test
    void blockingCallsAreRefusedOnTheClientsCallbackThreadWhereTheyWouldWaitForThemselves() throws Exception {
        cluster = new FakeCluster(3, 1);
        PaxlogClient client = client(b -> b);

        CompletableFuture<Throwable> nested = client.submit(bytes("a")).handle((r, e) -> {
            try {
                client.call(bytes("b"));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });

        assertThat(nested.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    }
}
