package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.server.ServerMain;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paxlog kv}, {@code paxlog lock} and {@code paxlog status} run in-process (picocli) against three
 * server processes on loopback, through their HTTP APIs, and against addresses where nothing listens:
 * output, {@code --json}, and the exit statuses for not found, precondition failed and unavailable.
 * Every process is killed after each test.
 */
class HttpCliTest {

    private static final long BOUND_MILLIS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int status, String out, String err) {}

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
    void kvCommandsAndStatusWorkAgainstAClusterAndExitCodesTellNotFoundFromPreconditionFailed() throws Exception {
        String servers = startCluster(3, "kv");
        await(() -> run("kv", "put", "--servers", servers, "ready", "yes").status() == 0, "the cluster takes a put");

        Run put = run("kv", "put", "--servers", servers, "color", "blue");
        assertThat(put.status()).as(put.err()).isZero();
        Matcher written = Pattern.compile("version=(\\d+)").matcher(put.out().trim());
        assertThat(written.matches()).as(put.out()).isTrue();
        long version = Long.parseLong(written.group(1));

        Run get = run("kv", "get", "--servers", servers, "color");
        assertThat(get.status()).as(get.err()).isZero();
        assertThat(get.out()).as("the bytes as stored: no newline off a terminal").isEqualTo("blue");
        JsonNode json = JSON.readTree(run("kv", "get", "--servers", servers, "--json", "color").out());
        assertThat(json.get("value").asText()).isEqualTo("blue");
        assertThat(json.get("version").asLong()).isEqualTo(version);

        Run stale = run("kv", "cas", "--servers", servers, "color", Long.toString(version + 1000), "red");
        assertThat(stale.status()).as("a stale version: precondition failed").isEqualTo(HttpOptions.EXIT_PRECONDITION_FAILED);
        assertThat(stale.err()).contains("412");
        Run cas = run("kv", "cas", "--servers", servers, "color", Long.toString(version), "green");
        assertThat(cas.status()).as(cas.err()).isZero();
        assertThat(run("kv", "put", "--servers", servers, "--if-absent", "color", "x").status())
                .isEqualTo(HttpOptions.EXIT_PRECONDITION_FAILED);

        assertThat(run("kv", "put", "--servers", servers, "colour", "grey").status()).isZero();
        Run list = run("kv", "list", "--servers", servers, "col");
        assertThat(list.status()).as(list.err()).isZero();
        List<String> lines = list.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("color\t").endsWith("\tgreen");
        assertThat(lines.get(1)).startsWith("colour\t").endsWith("\tgrey");
        Run limited = run("kv", "list", "--servers", servers, "--json", "--limit", "1", "col");
        assertThat(limited.out().lines()).hasSize(1);
        assertThat(JSON.readTree(limited.out()).get("key").asText()).isEqualTo("color");

        Run del = run("kv", "del", "--servers", servers, "color");
        assertThat(del.status()).as(del.err()).isZero();
        assertThat(del.out()).startsWith("deleted version=");
        Run missing = run("kv", "get", "--servers", servers, "color");
        assertThat(missing.status()).isEqualTo(HttpOptions.EXIT_NOT_FOUND);
        assertThat(run("kv", "del", "--servers", servers, "color").status()).isEqualTo(HttpOptions.EXIT_NOT_FOUND);

        // Status: a row per server, one leader; --json one object per server.
        Run status = run("status", "--servers", servers);
        assertThat(status.status()).as(status.err()).isZero();
        List<String> rows = status.out().lines().toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).contains("ROLE", "EPOCH", "APPLIED", "LAG");
        assertThat(rows.stream().filter(row -> row.contains(" leader ")).count()).isEqualTo(1);
        Run statusJson = run("status", "--servers", servers, "--json");
        List<JsonNode> objects = new ArrayList<>();
        for (String line : statusJson.out().lines().toList()) {
            objects.add(JSON.readTree(line));
        }
        assertThat(objects).hasSize(3).allSatisfy(object -> {
            assertThat(object.get("reachable").asBoolean()).isTrue();
            assertThat(object.has("appliedSlot")).isTrue();
        });

        // A server list with a dead address first: the next one takes the request.
        String deadFirst = "127.0.0.1:" + freePorts(1).get(0) + "," + servers;
        assertThat(run("kv", "get", "--servers", deadFirst, "colour").out()).isEqualTo("grey");
    }

    @Test
    void lockCommandsGrantRefuseShowAndRelease() throws Exception {
        String servers = startCluster(3, "lock");
        await(() -> run("lock", "show", "--servers", servers, "warmup").status() == HttpOptions.EXIT_NOT_FOUND,
                "the cluster answers a show");

        Run acquire = run("lock", "acquire", "--servers", servers, "printer", "--owner", "alice", "--ttl", "30s");
        assertThat(acquire.status()).as(acquire.err()).isZero();
        Matcher granted = Pattern.compile("token=(\\d+) expiresInMs=(\\d+)\\n").matcher(acquire.out());
        assertThat(granted.matches()).as(acquire.out()).isTrue();
        assertThat(Long.parseLong(granted.group(2))).as("the leader's count, at most the ttl").isBetween(1L, 30_000L);
        Run held = run("lock", "acquire", "--servers", servers, "printer", "--owner", "bob");
        assertThat(held.status()).isEqualTo(HttpOptions.EXIT_PRECONDITION_FAILED);
        assertThat(held.out()).startsWith("held by alice token=");
        Run show = run("lock", "show", "--servers", servers, "--json", "printer");
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(JSON.readTree(show.out()).get("holder").asText()).isEqualTo("alice");
        assertThat(run("lock", "release", "--servers", servers, "printer", "--owner", "bob").status())
                .isEqualTo(HttpOptions.EXIT_PRECONDITION_FAILED);
        Run release = run("lock", "release", "--servers", servers, "printer", "--owner", "alice");
        assertThat(release.status()).as(release.err()).isZero();
        assertThat(release.out()).startsWith("released token=");
        assertThat(run("lock", "show", "--servers", servers, "printer").status()).isEqualTo(HttpOptions.EXIT_NOT_FOUND);
    }

    @Test
    void withNoServerListeningEveryCommandExitsUnavailable() {
        List<Integer> ports = freePorts(2);
        String nowhere = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
        Run get = run("kv", "get", "--servers", nowhere, "k");
        assertThat(get.status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        assertThat(get.err()).contains("no server accepted a connection");
        assertThat(run("lock", "show", "--servers", nowhere, "k").status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        Run status = run("status", "--servers", nowhere);
        assertThat(status.status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        assertThat(status.out()).contains("down");
        assertThat(run("kv", "get", "--servers", "nonsense", "k").status()).isEqualTo(HttpOptions.EXIT_USAGE);
    }

    private void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + BOUND_MILLIS + " ms: " + what);
            }
            Thread.sleep(100); // a polling interval, not a stand-in for the condition
        }
    }

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** Starts {@code count} server processes of cluster "cli" running {@code service}; returns their HTTP addresses. */
    private String startCluster(int count, String service) throws IOException {
        List<Integer> ports = freePorts(count * 3);
        StringBuilder yaml = new StringBuilder("cluster:\n  id: cli\n  service: " + service + "\n  servers:\n");
        List<String> https = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            https.add("127.0.0.1:" + ports.get(3 * i + 2));
            yaml.append("    - {id: ").append(i + 1)
                    .append(", peer: \"127.0.0.1:").append(ports.get(3 * i))
                    .append("\", client: \"127.0.0.1:").append(ports.get(3 * i + 1))
                    .append("\", http: \"").append(https.get(i)).append("\"}\n");
        }
        yaml.append("server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: 300\n  electionTimeoutMaxMs: 600\n")
                .append("  heartbeatIntervalMs: 50\n");
        Path config = dir.resolve("cluster.yaml");
        Files.writeString(config, yaml);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int id = 1; id <= count; id++) {
            processes.add(new ProcessBuilder(java, "-ea", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
                    "--config", config.toString(), "--id", Integer.toString(id))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile()))
                    .start());
        }
        return String.join(",", https);
    }

    private static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // only opened to learn a free port
                }
            }
        }
    }
}
