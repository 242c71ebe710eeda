package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.server.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of real server processes on loopback for the CLI's process tests, each with a debugger port
 * ({@link #debugPort}) so that {@link LoopPause} can stall one thread of one server (its loop) while the
 * rest of that process (its sockets, its HTTP API) keeps running. Ports, logs ({@code server-<id>.log})
 * and data directories are under the test's directory; {@link #close} kills every process it started.
 *
 * <p>Threads: the test's only.
 */
final class ProcessCluster implements AutoCloseable {

    static final Duration BOUND = Duration.ofSeconds(30);
    static final Duration STARTUP_BOUND = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String clusterId;
    private final int size;
    /** Per server: peer, client, http, debug ports. */
    private final Map<Integer, int[]> ports = new HashMap<>();
    private final Map<Integer, Process> processes = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Writes the configuration ({@code extraServerSettings} appended to {@code server:}; elections after
     * 300-600 ms of silence) and starts every server.
     */
    ProcessCluster(Path dir, String clusterId, int size, String service, String extraServerSettings) throws IOException {
        this(dir, clusterId, size, service, 300, 600, extraServerSettings);
    }

    /** As above, with the given election timeouts. */
    ProcessCluster(Path dir, String clusterId, int size, String service, long electionMinMs, long electionMaxMs,
            String extraServerSettings) throws IOException {
        this.dir = dir;
        this.clusterId = clusterId;
        this.size = size;
        List<Integer> free = freePorts(size * 4);
        StringBuilder yaml = new StringBuilder("cluster:\n  id: " + clusterId + "\n  service: " + service + "\n  servers:\n");
        for (int id = 1; id <= size; id++) {
            int[] mine = {free.get(4 * id - 4), free.get(4 * id - 3), free.get(4 * id - 2), free.get(4 * id - 1)};
            ports.put(id, mine);
            yaml.append("    - {id: ").append(id).append(", peer: \"127.0.0.1:").append(mine[0])
                    .append("\", client: \"127.0.0.1:").append(mine[1])
                    .append("\", http: \"127.0.0.1:").append(mine[2]).append("\"}\n");
        }
        yaml.append("server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: ").append(electionMinMs)
                .append("\n  electionTimeoutMaxMs: ").append(electionMaxMs).append('\n')
                .append("  heartbeatIntervalMs: 50\n").append(extraServerSettings);
        Files.writeString(dir.resolve("cluster.yaml"), yaml);
        for (int id = 1; id <= size; id++) {
            start(id);
        }
    }

    private void start(int id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        processes.put(id, new ProcessBuilder(java, "-ea", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debugPort(id),
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
                "--config", dir.resolve("cluster.yaml").toString(), "--id", Integer.toString(id))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile()))
                .start());
    }

    String clusterId() {
        return clusterId;
    }

    int size() {
        return size;
    }

    String http(int id) {
        return "127.0.0.1:" + ports.get(id)[2];
    }

    String client(int id) {
        return "127.0.0.1:" + ports.get(id)[1];
    }

    int debugPort(int id) {
        return ports.get(id)[3];
    }

    /** The client addresses of {@code ids}, {@code id=host:port,...}, for a Java client (ids as the servers'). */
    String clients(int... ids) {
        List<String> list = new ArrayList<>();
        for (int id : ids) {
            list.add(id + "=" + client(id));
        }
        return String.join(",", list);
    }

    HttpResponse<byte[]> send(int id, String method, String path, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + http(id) + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Client calls waiting in server {@code id}'s loop queue right now, from its {@code /metrics}. */
    int clientQueueDepth(int id) throws IOException, InterruptedException {
        String metrics = new String(send(id, "GET", "/metrics", null, Duration.ofSeconds(2)).body(),
                java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher depth = java.util.regex.Pattern
                .compile("(?m)^paxlog_queue_depth\\{[^}]*queue=\"client\"[^}]*\\}\\s+([0-9.]+)").matcher(metrics);
        if (!depth.find()) {
            throw new AssertionError("no client queue depth in server " + id + "'s metrics:\n" + metrics);
        }
        return (int) Double.parseDouble(depth.group(1));
    }

    /** Server {@code id}'s {@code /v1/status}, or null while it does not answer. */
    JsonNode status(int id) {
        try {
            HttpResponse<byte[]> response = send(id, "GET", "/v1/status", null, Duration.ofSeconds(2));
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * The first leader of a cluster just started: as {@link #awaitLeader}, with room for JVMs that start
     * slowly on a loaded machine (seen: a server that had not logged its start after 30 s).
     */
    int awaitFirstLeader() throws InterruptedException {
        return awaitLeader(STARTUP_BOUND, all());
    }

    /** Waits until one of {@code running} leads and every one of them names it; returns it. */
    int awaitLeader(int... running) throws InterruptedException {
        return awaitLeader(BOUND, running);
    }

    private int awaitLeader(Duration bound, int... running) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            int leader = 0;
            boolean agreed = true;
            for (int id : running) {
                JsonNode status = status(id);
                if (status == null) {
                    agreed = false;
                    break;
                }
                if (status.path("role").asText().equals("leader")) {
                    leader = id;
                }
            }
            if (agreed && leader != 0) {
                for (int id : running) {
                    JsonNode status = status(id);
                    agreed &= status != null && status.path("leader").asInt() == leader;
                }
                if (agreed) {
                    return leader;
                }
            }
            Thread.sleep(50); // a polling interval
        }
        throw new AssertionError("no leader among " + java.util.Arrays.toString(running) + " within " + bound + ":\n" + logs());
    }

    int[] all() {
        int[] ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        return ids;
    }

    void kill9(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("server " + id + " did not die of SIGKILL");
        }
    }

    /** The end of every server's log, for failure messages. */
    String logs() {
        StringBuilder text = new StringBuilder();
        for (int id = 1; id <= size; id++) {
            try {
                Path log = dir.resolve("server-" + id + ".log");
                String all = Files.exists(log) ? Files.readString(log) : "";
                text.append("server ").append(id).append(processes.get(id).isAlive() ? " running" : " exited")
                        .append(", log ends:\n").append(all.substring(Math.max(0, all.length() - 2000))).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws InterruptedException {
        processes.values().forEach(Process::destroyForcibly);
        for (Process process : processes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
