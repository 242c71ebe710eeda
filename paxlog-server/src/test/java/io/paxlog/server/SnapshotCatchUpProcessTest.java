package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.transport.client.ClientAnswer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower stopped while the others snapshot and compact past it can only come back through
 * installSnapshot: the slots it lacks are gone from every other server's log. Five processes on
 * loopback, snapshots every 50 slots, checked through the client protocol, the logs and the data
 * directories.
 */
class SnapshotCatchUpProcessTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final int SNAPSHOT_EVERY_SLOTS = 50;

    @TempDir
    Path dir;

    private ServerProcesses servers;

    @AfterEach
    void killEverything() throws InterruptedException {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFollowerBehindTheLeadersSnapshotInstallsItAndThenCarriesAMajority() throws Exception {
        // Election timeouts above the cap of the peer reconnect backoff (2 s): the leader reconnects to
        // the restarted server and is heard before that server's timer fires, so it comes back as a
        // follower and the leader's catch-up, not an election, brings it up to date. A catch-up lag of
        // 100 slots makes the leader log the catch-up.
        servers = new ServerProcesses(dir, FreePorts.clusterYaml(5, "server-{id}", 3000, 4000,
                "  snapshotEverySlots: " + SNAPSHOT_EVERY_SLOTS + "\n  limits: {catchUpSlotsMax: 100}\n"));
        servers.startAll();
        servers.awaitStarted(BOUND, 1, 2, 3, 4, 5);
        List<String> acknowledged = new ArrayList<>();
        try (JournalClient client = new JournalClient(servers.config(), 11)) {
            for (int i = 1; i <= 10; i++) {
                appendAcknowledged(client, "before " + i, acknowledged);
            }
            int leader = client.lastAnswered();
            int lagging = servers.config().cluster().serverIds().stream().filter(id -> id != leader).findFirst()
                    .orElseThrow();

            // Stop one follower cleanly; its log says how far it got. Too few slots for a snapshot of its own.
            assertThat(servers.term(lagging)).as("exit status of server " + lagging + " after SIGTERM")
                    .isEqualTo(128 + 15);
            long stoppedAt = lastNumber(servers.logText(lagging),
                    "server " + lagging + ": loop stopped at applied slot (\\d+)");
            assertThat(stoppedAt).as("server " + lagging + "'s applied slot when stopped")
                    .isLessThan(SNAPSHOT_EVERY_SLOTS);
            assertThat(snapshotSlots(lagging)).as("snapshot files of server " + lagging + " when stopped").isEmpty();

            // The others move on by a few hundred slots, snapshotting and compacting as they go.
            for (int i = 1; i <= 300; i++) {
                appendAcknowledged(client, "while stopped " + i, acknowledged);
            }
            int leaderNow = client.lastAnswered();
            List<Long> leaderSnapshots = allNumbers(servers.logText(leaderNow),
                    "server " + leaderNow + ": took a snapshot at slot (\\d+)").stream()
                    .filter(slot -> slot > stoppedAt).toList();
            // The loop saves one snapshot at a time and compacts once it is durable: a second snapshot
            // means the first was saved and the log below it dropped.
            assertThat(leaderSnapshots).as("snapshots the leader (server " + leaderNow + ") took above slot "
                    + stoppedAt + ": at least two, so it compacted past the stopped server").hasSizeGreaterThan(1);

            // Back it comes, and catches up by a snapshot transfer.
            int logBefore = servers.logText(lagging).length();
            int leaderLogBefore = servers.logText(leaderNow).length();
            servers.start(lagging);
            servers.awaitStarted(BOUND, lagging);
            Pattern installed = Pattern.compile("INFO .*server " + lagging
                    + ": installed a snapshot received from another server at slot (\\d+)");
            Await.until(BOUND, "server " + lagging + " installs a snapshot from another server",
                    () -> installed.matcher(servers.logSince(lagging, logBefore)).find(),
                    () -> servers.describe(lagging));
            long installedSlot = lastNumber(servers.logSince(lagging, logBefore), installed.pattern());
            assertThat(installedSlot).as("slot of the snapshot server " + lagging + " installed")
                    .isGreaterThanOrEqualTo(leaderSnapshots.get(0));
            assertThat(servers.logSince(lagging, logBefore)).as("server " + lagging + " came back as a follower")
                    .doesNotContain("server " + lagging + ": became leader");
            Await.until(BOUND, "the leader logs that server " + lagging + " caught up",
                    () -> servers.logSince(leaderNow, leaderLogBefore).contains("server " + leaderNow
                            + ": server " + lagging + " caught up"), () -> servers.describe(leaderNow));
            long catchUpFrom = lastNumber(servers.logSince(leaderNow, leaderLogBefore), "server " + leaderNow
                    + ": catching up server " + lagging + ": it is \\d+ slots behind \\(at slot (\\d+),");
            assertThat(catchUpFrom).as("the slot the leader started catching server " + lagging + " up from")
                    .isLessThanOrEqualTo(stoppedAt + 1);
            Await.until(BOUND, "server " + lagging + " saves the installed snapshot to its data directory",
                    () -> snapshotSlots(lagging).stream().anyMatch(slot -> slot >= installedSlot),
                    () -> "snapshot files: " + snapshotSlots(lagging));

            // Now it is needed for a majority: with two others stopped, commands still succeed.
            List<Integer> others = new ArrayList<>(servers.config().cluster().serverIds());
            others.remove(Integer.valueOf(lagging));
            others.remove(Integer.valueOf(client.lastAnswered()));
            servers.kill9(others.get(0));
            servers.kill9(others.get(1));
            for (int i = 1; i <= 10; i++) {
                appendAcknowledged(client, "needs server " + lagging + " " + i, acknowledged);
            }
            assertThat(client.readAll(BOUND)).as("the journal, read through the log with server " + lagging
                    + " in the majority").containsExactlyElementsOf(acknowledged);
        }
    }

    private void appendAcknowledged(JournalClient client, String text, List<String> acknowledged) {
        ClientAnswer answer = client.append(text, BOUND);
        assertThat(answer).as("an answer for " + text + "; " + servers.describeAll()).isNotNull();
        assertThat(answer.status()).as(answer.toString()).isEqualTo(ClientAnswer.Status.APPLIED);
        acknowledged.add(text);
    }

    /** Slots of the snapshot files in the server's data directory. */
    private List<Long> snapshotSlots(int id) {
        Path data = servers.dataDirectory(id);
        if (!Files.isDirectory(data)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(data)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.matches("snapshot-\\d{20}\\.snap"))
                    .map(name -> Long.parseLong(name.substring("snapshot-".length(), name.length() - ".snap".length())))
                    .sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Long> allNumbers(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        List<Long> numbers = new ArrayList<>();
        while (matcher.find()) {
            numbers.add(Long.parseLong(matcher.group(1)));
        }
        return numbers;
    }

    private static long lastNumber(String text, String regex) {
        List<Long> numbers = allNumbers(text, regex);
        assertThat(numbers).as("a line matching " + regex + " in:\n" + text).isNotEmpty();
        return numbers.get(numbers.size() - 1);
    }
}
