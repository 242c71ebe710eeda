package io.paxlog.server;

import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.ReplyChannel;
import static io.paxlog.server.LocalCluster.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.StateMachine;
import io.paxlog.core.runtime.CommandAnswer.Status;
import io.paxlog.journal.JournalMachine;
import io.paxlog.journal.JournalMachine.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLoopTest {

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stopEverything() {
        if (cluster != null) {
            cluster.close();
            assertThat(cluster.failures()).as("loop or storage failures").isEmpty();
        }
    }

    @Test
    void commandsAreAppliedOnEveryServerAndAnsweredWithTheirSlotAndResult() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        ServerLoop leader = cluster.awaitLeader();
        long client = cluster.newClientId();

        List<CompletableFuture<CommandAnswer>> pending = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            pending.add(cluster.submit(leader.serverId(), client, i, append("entry " + i)));
        }
        long lastSlot = 0;
        for (int i = 0; i < pending.size(); i++) {
            CommandAnswer answer = get(pending.get(i));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(Status.APPLIED);
            assertThat(answer.slot()).isGreaterThan(lastSlot);
            assertThat(JournalMachine.decodeAppended(answer.result())).isEqualTo(
                    new JournalMachine.Appended(i + 1, answer.slot()));
            lastSlot = answer.slot();
        }
        long applied = lastSlot;
        Await.until(LocalCluster.WAIT, "every server applied slot " + applied,
                () -> IntStream.rangeClosed(1, 3).allMatch(id -> cluster.server(id).status().appliedSlot() >= applied),
                cluster::describe);

        assertThat(texts(readAll(leader.serverId()))).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 50).mapToObj(i -> "entry " + i).toList());
    }

    @Test
    void aFollowerRefusesWithNotLeaderAndNamesTheLeader() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        int follower = leader % 3 + 1;

        CommandAnswer answer = get(cluster.submit(follower, cluster.newClientId(), 1, append("x")));

        assertThat(answer.status()).isEqualTo(Status.NOT_LEADER);
        assertThat(answer.leaderHint()).isEqualTo(leader);
        assertThat(answer.slot()).isZero();
        assertThat(answer.message()).contains("server " + leader);
    }

    @Test
    void aServerThatKnowsNoLeaderAnswersNoQuorum() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.start(1); // alone: it can never gather a majority

        CommandAnswer answer = get(cluster.submit(1, cluster.newClientId(), 1, append("x")));

        assertThat(answer.status()).isEqualTo(Status.NO_QUORUM);
        assertThat(answer.leaderHint()).isZero();
    }

    @Test
    void aRetryWithTheSameSequenceIsAppliedOnceAndGetsTheSameResult() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        long client = cluster.newClientId();

        CommandAnswer first = get(cluster.submit(leader, client, 1, append("once")));
        CommandAnswer retry = get(cluster.submit(leader, client, 1, append("once")));

        assertThat(first.status()).isEqualTo(Status.APPLIED);
        assertThat(retry.status()).isEqualTo(Status.APPLIED);
        assertThat(retry.result()).isEqualTo(first.result());
        assertThat(texts(readAll(leader))).containsExactly("once");
    }

    @Test
    void aLeaderCutOffFromItsFollowersStepsDownAndTheOthersCarryOn() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        int old = cluster.awaitLeader().serverId();
        long client = cluster.newClientId();
        assertThat(get(cluster.submit(old, client, 1, append("before"))).status()).isEqualTo(Status.APPLIED);

        cluster.cut(old);
        CompletableFuture<CommandAnswer> stranded = cluster.submit(old, client, 2, append("stranded"));
        ServerLoop next = cluster.awaitLeader();
        assertThat(next.serverId()).isNotEqualTo(old);
        // The old leader cannot reach a majority: it steps down and refuses what it held.
        assertThat(get(stranded).status()).isIn(Status.NO_QUORUM, Status.NOT_LEADER);

        // The client retries the same sequence at the new leader: applied once, whatever became of the first try.
        assertThat(get(cluster.submit(next.serverId(), client, 2, append("stranded"))).status())
                .isEqualTo(Status.APPLIED);
        assertThat(get(cluster.submit(next.serverId(), client, 3, append("after"))).status())
                .isEqualTo(Status.APPLIED);

        cluster.heal(old);
        long applied = next.status().appliedSlot();
        Await.until(LocalCluster.WAIT, "the old leader catches up to slot " + applied,
                () -> cluster.server(old).status().appliedSlot() >= applied, cluster::describe);
        assertThat(texts(readAll(cluster.awaitLeader().serverId()))).containsExactly("before", "stranded", "after");
    }

    @Test
    void everyAcknowledgedCommandSurvivesAStopOfTheWholeClusterInOrder() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        long client = cluster.newClientId();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            if (get(cluster.submit(leader, client, i, append("durable " + i))).status() == Status.APPLIED) {
                acknowledged.add("durable " + i);
            }
        }
        assertThat(acknowledged).hasSize(30);

        cluster.close();
        cluster.startAll();

        assertThat(texts(readAll(cluster.awaitLeader().serverId()))).containsExactlyElementsOf(acknowledged);
    }

    @Test
    void aServerBehindTheLeadersSnapshotCatchesUpByInstallingItAndEverythingSurvivesARestart() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "  snapshotEverySlots: 10\n");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        int lagging = leader % 3 + 1;
        cluster.cut(lagging);
        long client = cluster.newClientId();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            CommandAnswer answer = get(cluster.submit(leader, client, i, append("snap " + i)));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(Status.APPLIED);
            acknowledged.add("snap " + i);
        }
        assertThat(cluster.restores(lagging)).isZero();

        cluster.heal(lagging);
        long applied = cluster.server(leader).status().appliedSlot();
        Await.until(LocalCluster.WAIT, "server " + lagging + " catches up to slot " + applied,
                () -> cluster.server(lagging).status().appliedSlot() >= applied, cluster::describe);
        assertThat(cluster.restores(lagging)).as("snapshots installed on the lagging server").isPositive();

        cluster.close();
        cluster.startAll();
        assertThat(texts(readAll(cluster.awaitLeader().serverId()))).containsExactlyElementsOf(acknowledged);
        assertThat(cluster.restores(leader)).as("the leader restarted from its own snapshot").isPositive();
    }

    @Test
    void stoppingALeaderAnswersTheCommandsItHoldsWithError() {
        // Long election timeouts: the leader keeps leading, holding the command, until it is stopped.
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "", 2000, 4000);
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        cluster.config().cluster().serverIds().stream().filter(id -> id != leader).forEach(cluster::cut);
        CompletableFuture<CommandAnswer> held = cluster.submit(leader, cluster.newClientId(), 1, append("held"));

        cluster.stop(leader);

        CommandAnswer answer = get(held);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(Status.ERROR);
        assertThat(answer.message()).contains("stopping", "outcome is unknown");
    }

    @Test
    void callsQueuedWhenTheLoopStopsAreAnsweredWithError() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch applying = new CountDownLatch(1);
        cluster = new LocalCluster(dir, 1, () -> new BlockingMachine(applying, release), "");
        cluster.start(1);
        cluster.awaitLeader();
        long client = cluster.newClientId();
        CompletableFuture<CommandAnswer> first = cluster.submit(1, client, 1, append("blocks the loop"));
        applying.await();
        CompletableFuture<CommandAnswer> queued = cluster.submit(1, client, 2, append("queued"));

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> cluster.stop(1));
        // A probe sent before the stop began is queued (and answered when the loop ends); one sent after
        // is refused on the spot.
        long[] probe = {100};
        Await.until(LocalCluster.WAIT, "calls are refused on arrival once stopping", () -> {
            CompletableFuture<CommandAnswer> answer = cluster.submitIfRunning(1, client, probe[0]++);
            return answer.isDone() && answer.join().status() == Status.ERROR;
        });
        release.countDown();
        stopped.get();

        assertThat(get(first).status()).isEqualTo(Status.APPLIED);
        assertThat(get(queued).status()).isEqualTo(Status.ERROR);
    }

    @Test
    void aFullQueueAnswersBusyAtOnceAndEveryQueuedCallIsStillAnswered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch applying = new CountDownLatch(1);
        StateMachine blocking = new BlockingMachine(applying, release);
        cluster = new LocalCluster(dir, 1, () -> blocking, "  limits: {clientQueueMax: 4}\n");
        cluster.start(1);
        cluster.awaitLeader();
        long client = cluster.newClientId();

        CompletableFuture<CommandAnswer> first = cluster.submit(1, client, 1, append("blocks the loop"));
        applying.await();
        List<CompletableFuture<CommandAnswer>> queued = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            queued.add(cluster.submit(1, client, i, append("queued " + i)));
        }
        CompletableFuture<CommandAnswer> refused = cluster.submit(1, client, 6, append("one too many"));

        assertThat(refused).isDone();
        assertThat(refused.join().status()).isEqualTo(Status.BUSY);
        release.countDown();
        assertThat(get(first).status()).isEqualTo(Status.APPLIED);
        for (CompletableFuture<CommandAnswer> answer : queued) {
            assertThat(get(answer).status()).isEqualTo(Status.APPLIED);
        }
        Await.until(LocalCluster.WAIT, "the busy count is published",
                () -> cluster.server(1).status().clientCallsBusy() == 1);
    }

    @Test
    void malformedAndOversizedCommandsAreRejectedWithoutReachingTheLog() {
        cluster = new LocalCluster(dir, 1, JournalMachine::new, "  limits: {commandBytesMax: 10}\n");
        cluster.start(1);
        cluster.awaitLeader();

        CommandAnswer tooLarge = get(cluster.submit(1, 1, 1, new byte[11]));
        CommandAnswer badClient = get(cluster.submit(1, 0, 1, new byte[1]));
        CommandAnswer badSequence = get(cluster.submit(1, 1, 0, new byte[1]));

        assertThat(tooLarge.status()).isEqualTo(Status.REJECTED);
        assertThat(tooLarge.message()).contains("11 bytes", "limit of 10");
        assertThat(badClient.status()).isEqualTo(Status.REJECTED);
        assertThat(badSequence.status()).isEqualTo(Status.REJECTED);
        assertThat(cluster.server(1).status().appliedSlot()).isLessThanOrEqualTo(1); // at most the leader's no-op
    }

    @Test
    void peerMessagesNotAddressedFromAPeerToThisServerNeverReachTheCore() {
        cluster = new LocalCluster(dir, 3, JournalMachine::new, "");
        cluster.startAll();
        ServerLoop leader = cluster.awaitLeader();
        int self = leader.serverId();
        var query = new io.paxlog.api.message.Query(leader.status().promised());

        leader.deliver(new io.paxlog.api.message.Envelope(9, self, query));
        leader.deliver(new io.paxlog.api.message.Envelope(self, self, query));
        leader.deliver(new io.paxlog.api.message.Envelope(self % 3 + 1, 9, query));

        assertThat(get(cluster.submit(self, cluster.newClientId(), 1, append("still fine"))).status())
                .isEqualTo(Status.APPLIED);
        assertThat(leader.failure()).isNull();
    }

    // ---- Helpers ----

    private List<Entry> readAll(int serverId) {
        List<Entry> entries = new ArrayList<>();
        long reader = cluster.newClientId();
        long sequence = 1;
        while (true) {
            CommandAnswer answer = get(cluster.submit(serverId, reader, sequence++,
                    JournalMachine.readCommand(entries.size() + 1, 100)));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(Status.APPLIED);
            JournalMachine.Page page = JournalMachine.decodePage(answer.result());
            entries.addAll(page.entries());
            if (entries.size() >= page.size()) {
                return entries;
            }
        }
    }

    private static byte[] append(String text) {
        return JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
    }

    /** A journal whose first apply waits for the test: it holds the loop thread so its queue fills. */
    private static final class BlockingMachine implements StateMachine {
        private final JournalMachine journal = new JournalMachine();
        private final CountDownLatch applying;
        private final CountDownLatch release;

        BlockingMachine(CountDownLatch applying, CountDownLatch release) {
            this.applying = applying;
            this.release = release;
        }

        @Override
        public byte[] apply(long slot, byte[] payload) {
            applying.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return journal.apply(slot, payload);
        }

        @Override
        public byte[] snapshot() {
            return journal.snapshot();
        }

        @Override
        public void restore(byte[] snapshot) {
            journal.restore(snapshot);
        }
    }
}
