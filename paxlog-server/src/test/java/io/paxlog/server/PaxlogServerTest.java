package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.journal.JournalMachine;
import io.paxlog.journal.JournalService;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.transport.client.ClientAnswer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole servers in one JVM over real TCP on loopback: lifecycle, the data directory lock, the wire. */
class PaxlogServerTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<PaxlogServer> servers = new ArrayList<>();
    private final Map<Integer, Integer> exits = new ConcurrentHashMap<>();

    @AfterEach
    void stopAll() {
        servers.forEach(PaxlogServer::close);
        assertThat(exits).as("servers that wanted to exit").isEmpty();
    }

    @Test
    void threeServersOverTcpApplyCommandsAndAnswerWithLeaderHints() throws Exception {
        ServerConfig config = config(3);
        for (int id = 1; id <= 3; id++) {
            servers.add(start(config, id));
        }
        try (JournalClient client = new JournalClient(config, 7)) {
            List<String> written = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                ClientAnswer answer = client.append("wire " + i, BOUND);
                assertThat(answer.status()).as(String.valueOf(answer)).isEqualTo(ClientAnswer.Status.APPLIED);
                written.add("wire " + i);
            }
            assertThat(client.readAll(BOUND)).containsExactlyElementsOf(written);

            int leader = servers.stream().filter(s -> s.status().isLeader()).findFirst().orElseThrow().serverId();
            int follower = leader % 3 + 1;
            ClientAnswer refused = client.callOnce(follower, 100, JournalMachine.appendCommand(new byte[1]), BOUND);
            assertThat(refused.status()).isEqualTo(ClientAnswer.Status.NOT_LEADER);
            assertThat(refused.leaderHint()).isEqualTo(leader);
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedWithAClearMessage() throws Exception {
        ServerConfig config = config(1);
        servers.add(start(config, 1));

        assertThatThrownBy(() -> start(config, 1))
                .isInstanceOf(DataDirLock.LockedException.class)
                .hasMessageContaining("data directory " + config.dataDirectory(1))
                .hasMessageContaining("in use by another paxlog server");
        // The refused start touched nothing: the first server still serves.
        try (JournalClient client = new JournalClient(config, 1)) {
            assertThat(client.append("still served", BOUND).status()).isEqualTo(ClientAnswer.Status.APPLIED);
        }
    }

    @Test
    void aServerInAnotherProcessIsRefusedTheLockAndExitsWithItsOwnStatus() throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, FreePorts.clusterYaml(1, dir.resolve("server-{id}").toString(), ""));
        DataDirLock held = DataDirLock.acquire(ServerConfig.load(file).dataDirectory(1));
        try {
            Process child = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"),
                    ServerMain.class.getName(), "--config", file.toString(), "--id", "1")
                    .redirectErrorStream(true).start();
            try {
                assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                String output = new String(child.getInputStream().readAllBytes());
                assertThat(child.exitValue()).as(output).isEqualTo(ServerMain.EXIT_DATA_DIR_LOCKED);
                assertThat(output).contains("is in use by another paxlog server (process "
                        + ProcessHandle.current().pid());
            } finally {
                child.destroyForcibly();
            }
        } finally {
            held.close();
        }
    }

    @Test
    void aStoppedServerReleasesEverythingAndRestartsOnItsData() throws Exception {
        ServerConfig config = config(1);
        PaxlogServer first = start(config, 1);
        try (JournalClient client = new JournalClient(config, 3)) {
            for (int i = 1; i <= 5; i++) {
                assertThat(client.append("kept " + i, BOUND).status()).isEqualTo(ClientAnswer.Status.APPLIED);
            }
        }
        first.close();

        servers.add(start(config, 1)); // same ports, same directory: all released
        try (JournalClient client = new JournalClient(config, 4)) {
            assertThat(client.readAll(BOUND)).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, 5).mapToObj(i -> "kept " + i).toList());
        }
    }

    @Test
    void aServerGivenAnotherClustersDataExitsWithItsOwnStatusNotAsAStorageFailure() throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, FreePorts.clusterYaml(1, dir.resolve("server-{id}").toString(), ""));
        ServerConfig ours = ServerConfig.load(file);
        PaxlogServer first = start(ours, 1);
        try (JournalClient client = new JournalClient(ours, 5)) {
            assertThat(client.append("of cluster test", BOUND).status()).isEqualTo(ClientAnswer.Status.APPLIED);
        }
        first.close(); // its log now carries cluster "test"
        assertThat(io.paxlog.storage.WalTool.run(new String[] {"verify", ours.dataDirectory(1).toString()},
                System.out, System.err)).as("a real data directory verifies").isZero();

        Files.writeString(file, Files.readString(file).replace("  id: test\n", "  id: other\n"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> ServerMain.run(file, 1, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(status).as(err.toString()).isEqualTo(ServerMain.EXIT_FOREIGN_DATA)
                .isNotEqualTo(PaxlogServer.EXIT_STORAGE_FATAL);
        assertThat(err.toString()).contains("holds another cluster's or server's data", "this is cluster other");
    }

    private ServerConfig config(int count) {
        return ServerConfig.parse(FreePorts.clusterYaml(count, "server-{id}", ""), "test", dir, null);
    }

    private PaxlogServer start(ServerConfig config, int id) {
        return PaxlogServer.start(config, id, new JournalService(), status -> exits.put(id, status));
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
