package io.paxlog.chaos.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.paxlog.chaos.net.Link;
import io.paxlog.chaos.net.LinkProxy;
import io.paxlog.chaos.net.ProxiedLinks;

/**
 * Real server processes of one cluster on loopback, each {@code io.paxlog.server.ServerMain} of this
 * JVM's class path (under {@code java -jar paxlog.jar} that is the paxlog jar itself, so the same as
 * {@code paxlog server --config ... --id N}), logging to {@code server-<id>.log} in the run's directory.
 *
 * <p>Every process started is killed by {@link #close}, and by a shutdown hook if this JVM is stopped
 * first (Ctrl-C). A JVM killed with -9 runs no hook, so each server's pid is also written to
 * {@code pids/}; {@link #killStale} kills the servers of earlier runs that were left so, at start.
 */
public final class ServerCluster implements AutoCloseable {

    /** Names the run directories, so stale ones (and their processes) can be found. */
    public static final String PREFIX = "pxc-";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    /** Each server's configuration file: one shared file, or one per server behind proxies. */
    private final Map<Integer, Path> configFiles = new LinkedHashMap<>();
    private final Map<Integer, Ports> ports = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Thread hook = new Thread(this::killAll, "pxc-cleanup");
    private final Namespaces net;
    private final ProxiedLinks links;

    /** A server's loopback ports. */
    public record Ports(int peer, int client, int http) {}

    /** How the servers reach each other. */
    public enum Network {
        /** Directly on loopback: only process faults. */
        LOOPBACK,
        /**
         * On loopback through a {@link LinkProxy} per directed link ({@link ProxiedLinks}): each server
         * has a configuration file of its own in which its peers' addresses are its proxies; links are
         * cut one way or both, without root.
         */
        PROXIED,
        /** Each server in a network namespace of its own ({@link Namespaces}, root only): partitions. */
        NAMESPACES
    }

    /**
     * Writes the configuration of {@code servers} servers to {@code dir}, a directory whose name starts
     * with {@link #PREFIX}: on fresh loopback ports (directly or through link proxies), or each server in
     * a network namespace of its own, which partitions need.
     */
    public ServerCluster(Path dir, int servers, String service, long electionTimeoutMinMs, long electionTimeoutMaxMs,
            Network network) throws IOException, InterruptedException {
        if (!dir.getFileName().toString().startsWith(PREFIX)) {
            throw new IllegalArgumentException("a run directory's name starts with " + PREFIX + ": " + dir);
        }
        this.dir = dir;
        Files.createDirectories(dir.resolve("pids"));
        List<Integer> all = new ArrayList<>();
        for (int id = 1; id <= servers; id++) {
            all.add(id);
        }
        boolean namespaces = network == Network.NAMESPACES;
        // In namespaces every server has its own address, so the same ports serve them all.
        List<Integer> free = new ArrayList<>();
        if (namespaces) {
            for (int id = 1; id <= servers; id++) {
                free.addAll(List.of(9081, 7081, 8081));
            }
        } else {
            free.addAll(freePorts(servers * 3)); // all at once: none handed out twice
        }
        for (int id = 1; id <= servers; id++) {
            ports.put(id, new Ports(free.get(3 * id - 3), free.get(3 * id - 2), free.get(3 * id - 1)));
        }
        this.net = namespaces ? Namespaces.create(all) : null;
        Map<Integer, InetSocketAddress> peerAddresses = new LinkedHashMap<>();
        ports.forEach((id, p) -> peerAddresses.put(id, new InetSocketAddress(host(id), p.peer())));
        this.links = network == Network.PROXIED ? new ProxiedLinks(peerAddresses) : null;
        String settings = "server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: " + electionTimeoutMinMs
                + "\n  electionTimeoutMaxMs: " + electionTimeoutMaxMs
                + "\n  heartbeatIntervalMs: 100\n  walSegmentBytes: 4194304\n";
        if (links == null) {
            Path file = dir.resolve("cluster.yaml");
            Files.writeString(file, clusterYaml(service, self -> peerAddresses.get(self)) + settings);
            all.forEach(id -> configFiles.put(id, file));
        } else {
            // The cluster's identity (its id, and so the tag every frame and log segment carries) does
            // not depend on the addresses, so each server may see its peers at addresses of its own.
            for (int id : all) {
                Path file = dir.resolve("cluster-" + id + ".yaml");
                int self = id;
                Files.writeString(file, clusterYaml(service, peer -> peer == self ? peerAddresses.get(peer)
                        : links.address(new Link(self, peer))) + settings);
                configFiles.put(id, file);
            }
        }
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The cluster section, with server X's peer address as {@code peerAddress(X)}. */
    private String clusterYaml(String service, java.util.function.IntFunction<InetSocketAddress> peerAddress) {
        StringBuilder yaml = new StringBuilder("cluster:\n  id: chaos\n  service: " + service + "\n  servers:\n");
        ports.forEach((id, p) -> {
            InetSocketAddress peer = peerAddress.apply(id);
            String host = host(id);
            yaml.append("    - {id: ").append(id).append(", peer: \"").append(peer.getHostString()).append(':')
                    .append(peer.getPort()).append("\", client: \"").append(host).append(':').append(p.client())
                    .append("\", http: \"").append(host).append(':').append(p.http()).append("\"}\n");
        });
        return yaml.toString();
    }

    /** The configuration file server {@code id} is started with. */
    public Path configFile(int id) {
        return configFiles.get(id);
    }

    /** The link proxies; only for {@link Network#PROXIED}. */
    public ProxiedLinks links() {
        if (links == null) {
            throw new IllegalStateException("cutting links needs the servers behind link proxies (Network.PROXIED)");
        }
        return links;
    }

    public Path directory() {
        return dir;
    }

    public List<Integer> ids() {
        return List.copyOf(ports.keySet());
    }

    public Ports ports(int id) {
        return ports.get(id);
    }

    /** Where server {@code id} listens: its namespace's address, or loopback. */
    public String host(int id) {
        return net == null ? "127.0.0.1" : Namespaces.address(id);
    }

    /** The base URL of server {@code id}'s HTTP API. */
    public String httpBase(int id) {
        return "http://" + host(id) + ":" + ports.get(id).http();
    }

    public Map<Integer, InetSocketAddress> clientAddresses() {
        Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        ports.forEach((id, p) -> addresses.put(id, new InetSocketAddress(host(id), p.client())));
        return addresses;
    }

    /** Cuts server {@code id} off from the other servers (clients still reach it). Needs namespaces. */
    public void isolate(int id) throws IOException, InterruptedException {
        requireNamespaces().isolate(id);
    }

    /** Undoes {@link #isolate}. */
    public void heal(int id) throws IOException, InterruptedException {
        requireNamespaces().heal(id);
    }

    private Namespaces requireNamespaces() {
        if (net == null) {
            throw new IllegalStateException("partitions need the servers in network namespaces");
        }
        return net;
    }

    public void start(int id) throws IOException {
        List<String> command = new ArrayList<>(net == null ? List.of() : Namespaces.execIn(id));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.paxlog.server.ServerMain",
                "--config", configFiles.get(id).toString(), "--id", Integer.toString(id)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile()))
                .start();
        processes.put(id, process);
        Files.writeString(dir.resolve("pids").resolve(Integer.toString(id)), Long.toString(process.pid()));
    }

    public void startAll() throws IOException {
        for (int id : ids()) {
            start(id);
        }
    }

    public boolean isAlive(int id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill9(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server " + id + " still runs 10 s after SIGKILL");
        }
    }

    /** SIGSTOP: the process freezes, sockets open, as a long GC pause or a stalled VM would. */
    public void pause(int id) throws IOException, InterruptedException {
        signal(id, "-STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(int id) throws IOException, InterruptedException {
        signal(id, "-CONT");
    }

    private void signal(int id, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(processes.get(id).pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill " + signal + " of server " + id + " failed");
        }
    }

    /** The status page of server {@code id}, if it answers within a second. */
    public Optional<JsonNode> status(int id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase(id) + "/v1/status"))
                .timeout(Duration.ofSeconds(1)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The leader the running servers agree on, if one of them says it leads. */
    public Optional<Integer> leader() {
        int best = 0;
        long bestRound = -1;
        for (int id : ids()) {
            if (!isAlive(id)) {
                continue;
            }
            Optional<JsonNode> status = status(id);
            if (status.isPresent() && "leader".equals(status.get().path("role").asText())) {
                long round = status.get().path("epoch").path("round").asLong();
                if (round > bestRound) {
                    best = id;
                    bestRound = round;
                }
            }
        }
        return best == 0 ? Optional.empty() : Optional.of(best);
    }

    /** Waits, at most {@code bound}, for a leader; polls the status pages, so it costs a second at most per try. */
    public int awaitLeader(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            Optional<Integer> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader within " + bound.toMillis() + " ms; " + describe());
            }
            Thread.sleep(100); // a polling interval between status rounds, not a stand-in for the condition
        }
    }

    /** Each server's state and its log's last lines, for failure messages. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (int id : ids()) {
            Path log = dir.resolve("server-" + id + ".log");
            String tail = "";
            try {
                String all = Files.exists(log) ? Files.readString(log) : "";
                tail = all.substring(Math.max(0, all.length() - 1500));
            } catch (IOException e) {
                tail = "(log unreadable: " + e + ")";
            }
            text.append("\nserver ").append(id).append(isAlive(id) ? " running" : " not running").append(", log ends:\n")
                    .append(tail);
        }
        return text.toString();
    }

    private void killAll() {
        for (Process process : processes.values()) {
            process.destroyForcibly(); // SIGKILL ends a SIGSTOPped process too
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        killAll();
        if (links != null) {
            links.close();
        }
        if (net != null) {
            net.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) killAll itself
        }
    }

    /**
     * Kills servers left running by earlier runs under {@code parent} whose JVM died without its hook:
     * each pid recorded in a {@code pxc-*}/pids file whose process's command line names one of that
     * run's configuration files ({@code cluster.yaml}, or {@code cluster-<id>.yaml} behind link proxies),
     * so a pid reused by an unrelated process is left alone. Runs nested one level deeper (an
     * availability run's {@code pxc-*} directory holds one {@code pxc-*} cluster per fault) count too.
     * Returns how many it killed.
     */
    public static int killStale(Path parent) throws IOException {
        return killStale(parent, 2);
    }

    private static int killStale(Path parent, int depth) throws IOException {
        if (depth == 0 || !Files.isDirectory(parent)) {
            return 0;
        }
        int killed = 0;
        try (Stream<Path> runs = Files.list(parent)) {
            for (Path run : runs.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .toList()) {
                killed += killStale(run, depth - 1);
                Path pids = run.resolve("pids");
                if (!Files.isDirectory(pids)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(pids)) {
                    for (Path file : files.toList()) {
                        long pid = Long.parseLong(Files.readString(file).trim());
                        String config = run.resolve("cluster").toString();
                        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                        String commandLine = handle.map(h -> h.info().commandLine().orElse("")).orElse("");
                        if (handle.isPresent() && commandLine.contains(config) && commandLine.contains(".yaml")) {
                            handle.get().destroyForcibly();
                            killed++;
                        }
                        Files.delete(file);
                    }
                }
            }
        }
        return killed;
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
                    // opened only to learn a free port
                }
            }
        }
    }
}
