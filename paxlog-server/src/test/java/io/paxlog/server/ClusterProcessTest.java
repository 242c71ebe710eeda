package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.journal.JournalMachine;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.transport.client.ClientAnswer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five servers as five processes on loopback, killed with SIGKILL and stopped with SIGTERM, checked
 * from outside through the client protocol only. Bounded waits; every process is killed at the end.
 */
class ClusterProcessTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<Integer, Integer> starts = new HashMap<>();
    private Path configFile;
    private ServerConfig config;

    @AfterEach
    void killEverything() throws InterruptedException {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fiveProcessesSurviveKillsOfTheLeaderAndOfEveryoneAndFailFastWithoutAMajority() throws Exception {
        configFile = dir.resolve("cluster.yaml");
        Files.writeString(configFile, FreePorts.clusterYaml(5, "server-{id}", ""));
        config = ServerConfig.load(configFile);
        for (int id = 1; id <= 5; id++) {
            start(id);
        }
        List<String> acknowledged = new ArrayList<>();
        try (JournalClient client = new JournalClient(config, 42)) {
            // Commands succeed.
            for (int i = 1; i <= 20; i++) {
                appendAcknowledged(client, "first " + i, acknowledged);
            }

            // kill -9 the leader: commands resume within 2 s.
            int leader = client.lastAnswered();
            kill9(leader);
            long killedAt = System.nanoTime();
            appendAcknowledged(client, "after leader killed", acknowledged);
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(resumedMs).as("ms until a command applied after the leader died").isLessThan(2000);

            // Restart it: it rejoins, and with two others killed the cluster needs it to make progress.
            start(leader);
            for (int i = 1; i <= 10; i++) {
                appendAcknowledged(client, "second " + i, acknowledged);
            }
            List<Integer> others = new ArrayList<>(config.cluster().serverIds());
            others.remove(Integer.valueOf(leader));
            others.remove(Integer.valueOf(client.lastAnswered()));
            kill9(others.get(0));
            kill9(others.get(1));
            appendAcknowledged(client, "needs the restarted server", acknowledged);
            start(others.get(0));
            start(others.get(1));
            awaitStarted(leader, others.get(0), others.get(1)); // so that the kill below hits running servers
        }

        // kill -9 all five at once, restart: every acknowledged command is there, in order.
        processes.keySet().forEach(id -> processes.get(id).destroyForcibly());
        for (int id = 1; id <= 5; id++) {
            processes.get(id).waitFor(10, TimeUnit.SECONDS);
            start(id);
        }
        try (JournalClient client = new JournalClient(config, 43)) {
            assertThat(client.readAll(BOUND)).containsExactlyElementsOf(acknowledged);
            awaitStarted(1, 2, 3, 4, 5);

            // Stop three (SIGTERM, a clean stop): commands fail fast with "no quorum" instead of hanging.
            for (int id = 1; id <= 3; id++) {
                assertThat(term(id)).as("exit status of server " + id + " after SIGTERM").isEqualTo(128 + 15);
                assertThat(Files.readString(dir.resolve("server-" + id + ".log")))
                        .as("server " + id + " stopped cleanly").contains("server " + id + ": stopped");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean noQuorum = false;
            long sequence = 1000;
            while (!noQuorum && System.nanoTime() < deadline) {
                for (int id = 4; id <= 5 && !noQuorum; id++) {
                    long asked = System.nanoTime();
                    ClientAnswer answer = client.callOnce(id, sequence++, JournalMachine.appendCommand(new byte[1]),
                            Duration.ofSeconds(5));
                    assertThat(answer).as("an answer, not a hang, from server " + id + ": " + client.lastFailure())
                            .isNotNull();
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked))
                            .as("ms for server " + id + " to answer without a majority").isLessThan(3000);
                    noQuorum = answer.status() == ClientAnswer.Status.NO_QUORUM;
                }
            }
            assertThat(noQuorum).as("a NO_QUORUM answer from the two servers left").isTrue();

            // Start one back: a majority again, commands resume.
            start(1);
            ClientAnswer resumed = client.append("majority again", BOUND);
            assertThat(resumed.status()).as(String.valueOf(resumed)).isEqualTo(ClientAnswer.Status.APPLIED);
        }
    }

    private static void appendAcknowledged(JournalClient client, String text, List<String> acknowledged) {
        ClientAnswer answer = client.append(text, BOUND);
        assertThat(answer).as("an answer for " + text).isNotNull();
        assertThat(answer.status()).as(answer.toString()).isEqualTo(ClientAnswer.Status.APPLIED);
        acknowledged.add(text);
    }

    private void start(int id) throws IOException {
        Path log = dir.resolve("server-" + id + ".log");
        Process process = new ProcessBuilder(PaxlogServerTest.javaCommand(), "-ea", "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
                "--config", configFile.toString(), "--id", Integer.toString(id))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        processes.put(id, process);
        starts.merge(id, 1, Integer::sum);
    }

    /**
     * Waits until each server's latest incarnation logged that it started: before that a SIGTERM would
     * find no shutdown hook yet (a JVM still booting on a busy machine).
     */
    private void awaitStarted(int... ids) {
        for (int id : ids) {
            Path log = dir.resolve("server-" + id + ".log");
            String line = "server " + id + " of cluster 'test' started:";
            Await.until(BOUND, "server " + id + " starts", () -> {
                try {
                    return Files.readString(log).split(java.util.regex.Pattern.quote(line), -1).length - 1
                            >= starts.get(id);
                } catch (IOException e) {
                    return false;
                }
            }, () -> describe(id));
        }
    }

    /** The process's state and its log's end, for failure messages. */
    private String describe(int id) {
        Process process = processes.get(id);
        String state = process.isAlive() ? "running" : "exited " + process.exitValue();
        try {
            String log = Files.readString(dir.resolve("server-" + id + ".log"));
            return "server " + id + " " + state + ", log ends:\n" + log.substring(Math.max(0, log.length() - 3000));
        } catch (IOException e) {
            return "server " + id + " " + state + ", no log: " + e;
        }
    }

    private void kill9(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGTERM; returns the exit status (the JVM reports 143 for a signal, after its shutdown hooks ran). */
    private int term(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("server " + id + " stops after SIGTERM").isTrue();
        return process.exitValue();
    }
}
