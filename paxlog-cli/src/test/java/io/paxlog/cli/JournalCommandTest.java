package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.server.ServerMain;
import io.paxlog.server.config.DemoCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paxlog journal} run in-process (picocli) against three server processes on loopback, and
 * against addresses where nothing listens. Every process is killed after each test.
 */
class JournalCommandTest {

    private static final long BOUND_MILLIS = 30_000;

    private record Run(int status, String out, String err, long millis) {}

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killServers() throws InterruptedException {
        processes.forEach(Process::destroyForcibly);
        for (Process process : processes) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void appendThenReadRoundTripsThroughAThreeServerCluster() throws Exception {
        String servers = startCluster(3);
        awaitReadable(servers);

        Run append = run("journal", "append", "--servers", servers, "--cluster", "cli", "hello", "two words",
                "tab\there");
        assertThat(append.status()).as(append.err()).isZero();
        List<String> appended = append.out().lines().toList();
        assertThat(appended).hasSize(3);
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Matcher line = Pattern.compile("slot=(\\d+) index=(\\d+)").matcher(appended.get(i));
            assertThat(line.matches()).as(appended.get(i)).isTrue();
            assertThat(Long.parseLong(line.group(2))).isEqualTo(i + 1);
            slots.add(Long.parseLong(line.group(1)));
        }
        assertThat(slots).isSorted().doesNotHaveDuplicates();

        Run read = run("journal", "read", "--servers", servers, "--cluster", "cli");
        assertThat(read.status()).as(read.err()).isZero();
        assertThat(read.out().lines()).containsExactly(
                "slot=" + slots.get(0) + " index=1 hello",
                "slot=" + slots.get(1) + " index=2 two words",
                "slot=" + slots.get(2) + " index=3 tab\\there");

        Run page = run("journal", "read", "--servers", servers, "--cluster", "cli", "--from", "2", "--limit", "1",
                "--json");
        assertThat(page.status()).as(page.err()).isZero();
        assertThat(page.out().lines()).containsExactly(
                "{\"index\":2,\"slot\":" + slots.get(1) + ",\"data\":\"two words\"}");

        Run json = run("journal", "append", "--servers", servers, "--cluster", "cli", "--json", "four");
        assertThat(json.status()).as(json.err()).isZero();
        assertThat(json.out().strip()).matches("\\{\"slot\":\\d+,\"index\":4}");
    }

    @Test
    void aClientWithAnotherClustersIdIsToldSoAndThatNothingWasApplied() throws Exception {
        // The demo's port layout, so the CLI can ask the servers' HTTP status which cluster they are; a
        // majority of its five servers is enough.
        int basePort = freeDemoBasePort();
        Path config = DemoCluster.write(dir, basePort, "journal");
        for (int id = 1; id <= 3; id++) {
            start(config, id);
        }
        String port = "" + basePort;
        Run ready = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (ready == null || ready.status() != 0)) {
            ready = run("journal", "read", "--base-port", port, "--timeout", "2s");
        }
        assertThat(ready.status()).as("the demo layout cluster serves: " + ready.err()).isZero();

        Run append = run("journal", "append", "--base-port", port, "--cluster", "not-demo", "--timeout", "2s", "x");
        assertThat(append.status()).as(append.err()).isEqualTo(JournalCommand.EXIT_NOT_APPLIED);
        assertThat(append.err()).contains("the servers are cluster 'demo', not 'not-demo'", "nothing was applied",
                "give --cluster demo").doesNotContain("no quorum", "may apply twice");
        assertThat(run("journal", "read", "--base-port", port).out()).as("indeed not appended").isEmpty();
    }

    /** A base port whose fifteen demo ports are all free now. */
    private static int freeDemoBasePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(30_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int id = 1; id <= DemoCluster.SERVERS; id++) {
                    for (int p : List.of(DemoCluster.httpPort(base, id), DemoCluster.peerPort(base, id),
                            DemoCluster.clientPort(base, id))) {
                        held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                    }
                }
                return base;
            } catch (IOException e) {
                // one of them is taken: another base
            } finally {
                for (ServerSocket socket : held) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // only opened to see that the port is free
                    }
                }
            }
        }
        throw new AssertionError("no free demo base port found");
    }

    @Test
    void withNoServerRunningAppendExitsFourQuicklyWithOneLine() throws Exception {
        String nobody = freePorts(3).stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));

        Run run = run("journal", "append", "--servers", nobody, "hello");

        assertThat(run.status()).as(run.err()).isEqualTo(JournalCommand.EXIT_NOT_APPLIED);
        assertThat(run.millis()).as("ms until it gave up").isLessThan(3000);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("paxlog journal append: ").contains("unavailable", "not applied");
    }

    @Test
    void badOptionsAreUsageErrors() {
        Run basePort = run("journal", "read", "--base-port", "1500");
        assertThat(basePort.status()).isEqualTo(2);
        assertThat(basePort.err().lines()).singleElement().asString().contains("--base-port 1500");

        Run timeout = run("journal", "append", "--timeout", "soon", "x");
        assertThat(timeout.status()).isEqualTo(2);
        assertThat(timeout.err()).contains("'soon' is not a duration");

        Run servers = run("journal", "append", "--servers", "127.0.0.1", "x");
        assertThat(servers.status()).isEqualTo(2);
        assertThat(servers.err().lines()).singleElement().asString().contains("expected host:port");

        Run from = run("journal", "read", "--from", "0");
        assertThat(from.status()).isEqualTo(2);
        assertThat(from.err()).contains("--from must be >= 1");
    }

    // ---- helpers

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long started = System.nanoTime();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** Starts {@code count} server processes of cluster "cli" on fresh ports; returns their client addresses. */
    private String startCluster(int count) throws IOException {
        List<Integer> ports = freePorts(count * 3);
        StringBuilder yaml = new StringBuilder("cluster:\n  id: cli\n  service: journal\n  servers:\n");
        List<String> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add("127.0.0.1:" + ports.get(3 * i + 1));
            yaml.append("    - {id: ").append(i + 1)
                    .append(", peer: \"127.0.0.1:").append(ports.get(3 * i))
                    .append("\", client: \"").append(clients.get(i))
                    .append("\", http: \"127.0.0.1:").append(ports.get(3 * i + 2)).append("\"}\n");
        }
        yaml.append("server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: 300\n  electionTimeoutMaxMs: 600\n")
                .append("  heartbeatIntervalMs: 50\n");
        Path config = dir.resolve("cluster.yaml");
        Files.writeString(config, yaml);
        for (int id = 1; id <= count; id++) {
            start(config, id);
        }
        return String.join(",", clients);
    }

    /** Starts server {@code id} of {@code config} as a process, killed after the test. */
    private void start(Path config, int id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        processes.add(new ProcessBuilder(java, "-ea", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
                "--config", config.toString(), "--id", Integer.toString(id))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile()))
                .start());
    }

    /** Polls with {@code journal read} (each attempt gives up after about a second) until one succeeds. */
    private void awaitReadable(String servers) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MILLIS);
        Run last;
        do {
            last = run("journal", "read", "--servers", servers, "--cluster", "cli");
            if (last.status() == 0) {
                return;
            }
        } while (System.nanoTime() < deadline);
        StringBuilder logs = new StringBuilder();
        for (int id = 1; id <= processes.size(); id++) {
            logs.append(Files.readString(dir.resolve("server-" + id + ".log")));
        }
        throw new AssertionError("the cluster did not serve a read within " + BOUND_MILLIS + " ms; last: " + last
                + "\n" + logs);
    }

    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
