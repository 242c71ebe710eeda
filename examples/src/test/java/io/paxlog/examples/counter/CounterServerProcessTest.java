package io.paxlog.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.PaxlogClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter as a user deploys it: the example's classes packed into a jar, put on the class path of
 * three real {@code paxlog server} processes ({@code java -cp <paxlog>:counter.jar io.paxlog.cli.Main
 * server --config cluster.yaml --id N}) whose configuration says {@code service: counter}, and driven
 * from outside through the generic HTTP endpoints and the Java client, across a SIGKILL of the leader.
 * Without the jar the same configuration is refused, naming the services that are there. Every process
 * is killed after each test; every wait is bounded.
 */
class CounterServerProcessTest {

    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Integer, InetSocketAddress> httpAddresses = new LinkedHashMap<>();
    private final Map<Integer, InetSocketAddress> clientAddresses = new LinkedHashMap<>();
    private Path config;

    @BeforeEach
    void writeConfiguration() throws IOException {
        List<Integer> ports = freePorts(9);
        StringBuilder yaml = new StringBuilder("cluster:\n  id: counters\n  service: counter\n  servers:\n");
        for (int id = 1; id <= 3; id++) {
            int peer = ports.get(3 * id - 3);
            int client = ports.get(3 * id - 2);
            int web = ports.get(3 * id - 1);
            yaml.append("    - {id: ").append(id).append(", peer: \"127.0.0.1:").append(peer)
                    .append("\", client: \"127.0.0.1:").append(client).append("\", http: \"127.0.0.1:").append(web)
                    .append("\"}\n");
            clientAddresses.put(id, new InetSocketAddress("127.0.0.1", client));
            httpAddresses.put(id, new InetSocketAddress("127.0.0.1", web));
        }
        yaml.append("server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: 300\n  electionTimeoutMaxMs: 600\n")
                .append("  heartbeatIntervalMs: 50\n");
        config = Files.writeString(dir.resolve("cluster.yaml"), yaml.toString());
    }

    @AfterEach
    void killAll() throws InterruptedException {
        processes.forEach(Process::destroyForcibly);
        for (Process process : processes) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCounterJarRunsUnderPaxlogServerAndCountsEveryAddOnceAcrossALeaderKill() throws Exception {
        String classPath = paxlogClassPath() + File.pathSeparator + counterJar();
        Map<Integer, Process> servers = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            servers.put(id, server(classPath, id));
        }
        int leader = awaitLeader(servers);
        int follower = leader % 3 + 1;

        HttpResponse<String> first = post(follower, "/v1/service/command", "add visits 5");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("visits 5");
        assertThat(first.headers().firstValue("Paxlog-Service")).contains("counter");
        HttpResponse<String> once = post(follower, "/v1/service/command", "add visits 2", "Idempotency-Key", "k1");
        HttpResponse<String> retry = post(leader, "/v1/service/command", "add visits 2", "Idempotency-Key", "k1");
        assertThat(once.body()).isEqualTo("visits 7");
        assertThat(retry.body()).as("the retry is answered, not applied again").isEqualTo("visits 7");
        assertThat(post(follower, "/v1/service/query", "get visits").body()).isEqualTo("visits 7");

        CounterCodec codec = CounterCodec.INSTANCE;
        try (PaxlogClient client = PaxlogClient.builder().servers(clientAddresses).clusterId("counters")
                .requestTimeout(Duration.ofSeconds(20)).build()) {
            assertThat(codec.decodeResult(client.submitAndWait(codec.encodeCommand(new CounterCommand.Add("visits", 3)))))
                    .isEqualTo(new CounterResult.Value("visits", 10));

            servers.get(leader).destroyForcibly();
            assertThat(servers.get(leader).waitFor(10, TimeUnit.SECONDS)).as("the leader dies of SIGKILL").isTrue();
            servers.remove(leader);
            int next = awaitLeader(servers);
            assertThat(next).isNotEqualTo(leader);

            assertThat(codec.decodeResult(client.submitAndWait(codec.encodeCommand(new CounterCommand.Add("visits", 1)))))
                    .isEqualTo(new CounterResult.Value("visits", 11));
            assertThat(post(next, "/v1/service/command", "add visits 1").body()).isEqualTo("visits 12");
            assertThat(codec.decodeResult(client.queryAndWait(codec.encodeCommand(new CounterCommand.Get("visits")))
                    .value())).isEqualTo(new CounterResult.Value("visits", 12));
        }
    }

    @Test
    void withoutTheJarTheConfigurationIsRefusedNamingTheServicesFound() throws Exception {
        Process server = server(paxlogClassPath(), 1);
        assertThat(server.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the server gives up").isTrue();
        assertThat(server.exitValue()).as("bad configuration").isEqualTo(2);
        assertThat(Files.readString(log(1))).contains("cluster.service: no service named \"counter\" on the class path;"
                + " found: [journal, kv, lock]");
    }

    private Process server(String classPath, int id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-ea", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, "io.paxlog.cli.Main", "server", "--config", config.toString(), "--id",
                Integer.toString(id))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()))
                .start();
        processes.add(process);
        return process;
    }

    private Path log(int id) {
        return dir.resolve("server-" + id + ".log");
    }

    /** This test's class path without the example's own classes: paxlog and its libraries, as installed. */
    private static String paxlogClassPath() throws URISyntaxException {
        Path mainClasses = location(CounterService.class);
        Path testClasses = location(CounterServerProcessTest.class);
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> {
                    Path path = Path.of(entry).toAbsolutePath().normalize();
                    return !path.equals(mainClasses) && !path.equals(testClasses);
                })
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }

    /** The example's compiled classes and META-INF/services, packed as the jar a user would build. */
    private Path counterJar() throws IOException, URISyntaxException {
        Path classes = location(CounterService.class);
        Path jar = dir.resolve("paxlog-examples.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
    }

    /** One running server leads and every other running one names it, as their /v1/status pages say. */
    private int awaitLeader(Map<Integer, Process> running) {
        int[] leader = {0};
        await("a leader that every running server names", () -> {
            int found = 0;
            for (int id : running.keySet()) {
                String status = status(id);
                if (status == null) {
                    return false;
                }
                if (status.contains("\"role\":\"leader\"")) {
                    found = id;
                }
            }
            if (found == 0) {
                return false;
            }
            for (int id : running.keySet()) {
                String status = status(id);
                if (status == null || !status.contains("\"leader\":" + found + ",")) {
                    return false;
                }
            }
            leader[0] = found;
            return true;
        }, running);
        return leader[0];
    }

    private String status(int id) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(id, "/v1/status"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private HttpResponse<String> post(int server, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private URI uri(int server, String path) {
        InetSocketAddress address = httpAddresses.get(server);
        return URI.create("http://" + address.getHostString() + ":" + address.getPort() + path);
    }

    private void await(String what, BooleanSupplier condition, Map<Integer, Process> running) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (int id : running.keySet()) {
                    try {
                        String text = Files.exists(log(id)) ? Files.readString(log(id)) : "";
                        logs.append("\nserver ").append(id).append(running.get(id).isAlive() ? " running" : " exited")
                                .append(":\n").append(text.substring(Math.max(0, text.length() - 2000)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                throw new AssertionError("not within " + BOUND.toSeconds() + " s: " + what + logs);
            }
            try {
                Thread.sleep(20); // a polling interval, not a stand-in for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what, e);
            }
        }
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
