package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.NoQuorumException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.PaxlogClientException;
import io.paxlog.client.Result;
import io.paxlog.journal.JournalMachine;
import io.paxlog.transport.client.ClientAnswer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library ({@link PaxlogClient}) against five real server processes on loopback running the
 * journal: bootstrapping from a follower, pipelining, the leader killed with SIGKILL mid-stream, and no
 * majority. Checked from outside only, through the client and the journal read back through the log.
 * Bounded waits; every process is killed after each test.
 */
class ClientLibraryProcessTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerProcesses servers;
    private final List<PaxlogClient> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        clients.forEach(PaxlogClient::close);
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void aClientListingAFollowerFirstFindsTheLeaderAndPipelines500AppendsIntoDistinctSlotsInSubmitOrder()
            throws Exception {
        // Elections slower than the other tests' so a busy machine does not depose the leader mid-test:
        // this test is about finding a stable leader, not following a change.
        servers = new ServerProcesses(dir, FreePorts.clusterYaml(5, "server-{id}", "")
                .replace("electionTimeoutMinMs: 300", "electionTimeoutMinMs: 1000")
                .replace("electionTimeoutMaxMs: 600", "electionTimeoutMaxMs: 2000"));
        servers.startAll();
        int leader = awaitLeader();
        int follower = leader % 5 + 1;
        awaitFollowerPointsTo(follower, leader);

        Map<Integer, InetSocketAddress> followerFirst = new LinkedHashMap<>();
        followerFirst.put(follower, clientAddresses().get(follower));
        clientAddresses().forEach(followerFirst::putIfAbsent);
        PaxlogClient client = client(PaxlogClient.builder().servers(followerFirst));

        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            futures.add(client.submit(append("a-" + i)));
        }
        List<Long> slots = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        for (CompletableFuture<Result> future : futures) {
            Result result = future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            // The journal's slot, not Result.slot(): see the kill test for why they can differ.
            JournalMachine.Appended appended = JournalMachine.decodeAppended(result.value());
            slots.add(appended.slot());
            indexes.add(appended.index());
        }

        String leaderships = "leaderships: " + leaderships();
        assertThat(client.leaderId()).as("the leader the client found; " + leaderships).isEqualTo(leader);
        // Concurrent commands: each lands once, in a slot of its own. Their order is the log's, which
        // need not be the submit order (the first ones were refused by the follower and sent again).
        assertThat(slots).as("slots of the appends; " + leaderships).doesNotHaveDuplicates();
        assertThat(indexes).as("journal indexes").doesNotHaveDuplicates();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            expected.add("a-" + i);
        }
        List<String> journal = texts(readAll(client));
        assertThat(journal).containsExactlyInAnyOrderElementsOf(expected);
        for (int i = 0; i < futures.size(); i++) {
            assertThat(journal.get(Math.toIntExact(indexes.get(i) - 1))).as("append %d is at the index it was told", i + 1)
                    .isEqualTo("a-" + (i + 1));
        }
    }

    @Test
    void killingTheLeaderMidStreamLosesAndRepeatsNoAcknowledgedAppendAndCommandsResumeWithinTwoSeconds()
            throws Exception {
        servers = new ServerProcesses(dir, 5, "");
        servers.startAll();
        awaitLeader();
        PaxlogClient client = client(PaxlogClient.builder().servers(clientAddresses()));

        // A steady stream: at most 64 appends outstanding, the next submitted as soon as one finishes.
        int total = 1500;
        int killAfterAcknowledged = 300;
        Semaphore room = new Semaphore(64);
        // The slot the journal says each append got. Not Result.slot(): for a retry the log chose twice,
        // the servers answer with the slot of the later copy (the exactly-once table saves the result
        // bytes, not the slot), so Result.slot() can name a slot where the journal ignored a duplicate.
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicLong resultSlotsOfDuplicates = new AtomicLong();
        Map<String, PaxlogClientException> failed = new ConcurrentHashMap<>();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong resumedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean killed = new AtomicBoolean();
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            assertThat(room.tryAcquire(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("room for append " + i).isTrue();
            if (!killed.get() && acknowledged.size() >= killAfterAcknowledged) {
                killed.set(true);
                int leader = client.leaderId();
                assertThat(leader).as("the server applying the stream").isBetween(1, 5);
                servers.kill9(leader);
                killedAt.set(System.nanoTime());
            }
            String text = "b-" + i;
            long submitted = System.nanoTime();
            futures.add(client.submit(append(text)).whenComplete((result, error) -> {
                if (error == null) {
                    long slot = JournalMachine.decodeAppended(result.value()).slot();
                    acknowledged.put(text, slot);
                    if (slot != result.slot()) {
                        resultSlotsOfDuplicates.incrementAndGet();
                    }
                    if (submitted > killedAt.get()) {
                        resumedAt.accumulateAndGet(System.nanoTime(), Math::min);
                    }
                } else {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    failed.put(text, (PaxlogClientException) cause);
                }
                room.release();
            }));
        }
        for (CompletableFuture<Result> future : futures) {
            try {
                future.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // recorded by the callback above
            }
        }

        assertThat(killed).as("the leader was killed mid-stream").isTrue();
        assertThat(resumedAt.get()).as("an append submitted after the kill was applied").isNotEqualTo(Long.MAX_VALUE);
        long resumedMs = TimeUnit.NANOSECONDS.toMillis(resumedAt.get() - killedAt.get());
        assertThat(resumedMs).as("ms from the kill until an append submitted after it was applied").isLessThan(2000);
        assertThat(acknowledged.size() + failed.size()).isEqualTo(total);
        System.out.printf("leader killed after %d acknowledged; %d of %d acknowledged (%d answered with a duplicate's"
                + " slot), %d failed; resumed after %d ms%n", killAfterAcknowledged, acknowledged.size(), total,
                resultSlotsOfDuplicates.get(), failed.size(), resumedMs);

        List<JournalMachine.Entry> journal = readAll(client);
        Map<String, Integer> occurrences = new HashMap<>();
        journal.forEach(entry -> occurrences.merge(text(entry), 1, Integer::sum));
        occurrences.forEach((text, count) -> assertThat(count).as("copies of " + text + " in the journal").isEqualTo(1));
        Map<String, Long> journalSlots = new HashMap<>();
        journal.forEach(entry -> journalSlots.put(text(entry), entry.slot()));
        acknowledged.forEach((text, slot) -> assertThat(journalSlots.get(text))
                .as("slot of acknowledged " + text + " in the journal").isEqualTo(slot));
        failed.forEach((text, failure) -> {
            if (failure instanceof CommandNotAppliedException) {
                assertThat(journalSlots).as(text + " was reported not applied: " + failure.getMessage())
                        .doesNotContainKey(text);
            } else {
                assertThat(failure).isInstanceOf(OutcomeUnknownException.class);
            }
        });
        List<String> acknowledgedBySlot = acknowledged.entrySet().stream()
                .sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
        List<String> acknowledgedInJournal = texts(journal).stream().filter(acknowledged::containsKey).toList();
        assertThat(acknowledgedInJournal).as("acknowledged appends in the journal, in acknowledgement-slot order")
                .containsExactlyElementsOf(acknowledgedBySlot);
    }

    @Test
    void withThreeServersStoppedSubmitFailsFastWithNoQuorumAndSucceedsOnceOneIsBack() throws Exception {
        servers = new ServerProcesses(dir, 5, "");
        servers.startAll();
        int leader = awaitLeader();
        Duration requestTimeout = Duration.ofSeconds(10);
        PaxlogClient client = client(PaxlogClient.builder().servers(clientAddresses())
                .requestTimeout(requestTimeout));
        client.call(append("before"));

        // Stop three followers: the leader keeps running but has no majority.
        List<Integer> stopped = new ArrayList<>();
        for (int id = 1; id <= 5 && stopped.size() < 3; id++) {
            if (id != leader) {
                servers.awaitStarted(BOUND, id);
                assertThat(servers.term(id)).as("exit status of server " + id + " after SIGTERM").isEqualTo(143);
                stopped.add(id);
            }
        }

        long asked = System.nanoTime();
        CompletableFuture<Result> refused = client.submit(append("without a majority"));
        Throwable failure = null;
        try {
            Result result = refused.get(requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            throw new AssertionError("applied without a majority: " + result);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
        }
        long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        assertThat(failure).as("how the submit failed").isInstanceOf(NoQuorumException.class);
        assertThat(failure.getMessage()).contains("no quorum");
        assertThat(failedMs).as("ms until the submit failed, with a request timeout of 10 s").isLessThan(4000);

        // One back: a majority again, commands succeed.
        servers.start(stopped.get(0));
        long restartedAt = System.nanoTime();
        Result[] resumed = new Result[1];
        String[] resumedText = new String[1];
        int[] attempts = {0};
        Await.until(BOUND, "an append applied once a majority is back", () -> {
            try {
                // A new text each attempt: a failed attempt's outcome is unknown, it may still be applied.
                resumedText[0] = "majority again " + ++attempts[0];
                resumed[0] = client.call(append(resumedText[0]));
                return true;
            } catch (OutcomeUnknownException | CommandNotAppliedException e) {
                return false; // still no leader: the restarted JVM is booting or the election is running
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }, servers::describeAll);
        System.out.printf("no quorum failed after %d ms; resumed %d ms after the restart%n", failedMs,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt));
        List<JournalMachine.Entry> journal = readAll(client);
        assertThat(text(journal.get(0))).isEqualTo("before");
        assertThat(journal).filteredOn(entry -> text(entry).equals(resumedText[0])).singleElement()
                .extracting(JournalMachine.Entry::slot).isEqualTo(resumed[0].slot());
        assertThat(texts(journal)).as("the append whose outcome was unknown, at most once")
                .filteredOn("without a majority"::equals).hasSizeLessThanOrEqualTo(1);
    }

    // ---- helpers

    private PaxlogClient client(PaxlogClient.Builder builder) {
        PaxlogClient client = builder.clusterId(servers.config().cluster().id()).build();
        clients.add(client);
        return client;
    }

    /** Waits until the cluster applies a command, and returns the server that applied it. */
    private int awaitLeader() {
        PaxlogClient probe = client(PaxlogClient.builder().servers(clientAddresses()));
        Await.until(BOUND, "the cluster applies a read", () -> {
            try {
                probe.call(JournalMachine.readCommand(1, 1));
                return true;
            } catch (OutcomeUnknownException | CommandNotAppliedException e) {
                return false; // the servers are still starting or electing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }, servers::describeAll);
        int leader = probe.leaderId();
        assertThat(leader).as("the server that applied the read").isBetween(1, 5);
        return leader;
    }

    /** Waits until {@code follower} answers a command with NOT_LEADER and a hint naming {@code leader}. */
    private void awaitFollowerPointsTo(int follower, int leader) {
        try (JournalClient raw = new JournalClient(servers.config(), 1)) {
            long[] sequence = {1};
            Await.until(BOUND, "server " + follower + " points to leader " + leader, () -> {
                ClientAnswer answer = raw.callOnce(follower, sequence[0]++, JournalMachine.readCommand(1, 1),
                        Duration.ofSeconds(2));
                return answer != null && answer.status() == ClientAnswer.Status.NOT_LEADER
                        && answer.leaderHint() == leader;
            }, () -> servers.describe(follower));
        }
    }

    /** Every server's client address by id, in id order. */
    private Map<Integer, InetSocketAddress> clientAddresses() {
        Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int id : servers.config().cluster().serverIds()) {
            addresses.put(id, servers.config().cluster().server(id).client().socketAddress());
        }
        return addresses;
    }

    /** The servers' "became leader" log lines, for failure messages. */
    private List<String> leaderships() {
        List<String> lines = new ArrayList<>();
        for (int id : servers.config().cluster().serverIds()) {
            servers.logText(id).lines().filter(line -> line.contains("became leader")).forEach(lines::add);
        }
        return lines;
    }

    private static byte[] append(String text) {
        return JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every entry of the journal, read through the log a page at a time. */
    private static List<JournalMachine.Entry> readAll(PaxlogClient client) throws Exception {
        List<JournalMachine.Entry> entries = new ArrayList<>();
        while (true) {
            JournalMachine.Page page = JournalMachine.decodePage(
                    client.call(JournalMachine.readCommand(entries.size() + 1, JournalMachine.READ_ENTRIES_MAX)).value());
            entries.addAll(page.entries());
            if (entries.size() >= page.size()) {
                return entries;
            }
            assertThat(page.entries()).as("a page of a journal not read to its end").isNotEmpty();
        }
    }

    private static String text(JournalMachine.Entry entry) {
        return new String(entry.data(), StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<JournalMachine.Entry> entries) {
        return entries.stream().map(ClientLibraryProcessTest::text).toList();
    }
}
