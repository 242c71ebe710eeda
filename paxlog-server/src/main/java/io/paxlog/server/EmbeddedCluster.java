package io.paxlog.server;

import io.paxlog.api.service.Service;
import io.paxlog.client.PaxlogClient;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.server.service.ServiceCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster inside one JVM: {@code servers} real servers ({@link PaxlogServer}: write-ahead log,
 * peer network, client listener and HTTP API each), running one {@link Service}, on loopback ports, with
 * their data under one directory. For programs and tests that want a replicated service without
 * deploying one; each server is exactly what {@code paxlog server} runs, so what works here works there.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().servers(3).service(new CounterService())
 *         .dataDir(Path.of("data")).start()) {
 *     byte[] result = cluster.client().submitAndWait(command);
 * }
 * }</pre>
 *
 * <p>Of course servers in one JVM fail together: this gives the replicated behaviour (and lets a test
 * stop and restart servers), not fault tolerance against the machine. The data survives: starting again
 * on the same directory recovers every server's log and state, as long as the service is the same (the
 * generated configuration, kept in {@value #CONFIG_FILE}, records it; another service is refused).
 *
 * <p>Ports are taken from the OS when the cluster starts (free then; another process could take one
 * before the server binds it, which fails the start). A server that must end itself (a fatal storage
 * error, a bug in its loop) does not end the JVM: it logs, stops acknowledging, and is listed in
 * {@link #failures()}.
 *
 * <p>Threads: the methods are for one controlling thread; {@link #client()} is thread-safe.
 */
public final class EmbeddedCluster implements AutoCloseable {

    /** The configuration the cluster was started with, written into the data directory. */
    public static final String CONFIG_FILE = "embedded-cluster.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
    private static final long POLL_MILLIS = 5;

    private final ServerConfig config;
    private final Service<?, ?> service;
    private final Map<Integer, PaxlogServer> running = new TreeMap<>();
    private final Map<Integer, Integer> failures = new ConcurrentHashMap<>();
    private PaxlogClient client;

    private EmbeddedCluster(ServerConfig config, Service<?, ?> service) {
        this.config = config;
        this.service = service;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The shared client of this cluster, connected to every server; closed by {@link #close}. Thread-safe. */
    public PaxlogClient client() {
        return client;
    }

    /** A client builder aimed at this cluster, for a client of one's own (another client id, other timeouts). */
    public PaxlogClient.Builder clientBuilder() {
        return PaxlogClient.builder().servers(clientAddresses()).clusterId(config.cluster().id());
    }

    /** Every server's client address (the binary protocol {@link PaxlogClient} speaks), by id. */
    public Map<Integer, InetSocketAddress> clientAddresses() {
        Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        config.cluster().servers().forEach(s -> addresses.put(s.id(), s.client().socketAddress()));
        return addresses;
    }

    /** Every server's HTTP address, by id: {@code POST /v1/service/command} and the rest of the HTTP API. */
    public Map<Integer, InetSocketAddress> httpAddresses() {
        Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        config.cluster().servers().forEach(s -> addresses.put(s.id(), s.http().socketAddress()));
        return addresses;
    }

    public String clusterId() {
        return config.cluster().id();
    }

    public List<Integer> serverIds() {
        return config.cluster().serverIds();
    }

    /** The servers running now (not stopped, whether or not they failed). */
    public Set<Integer> runningIds() {
        return Collections.unmodifiableSet(running.keySet());
    }

    /** What server {@code id} last published: role, epoch, slots. */
    public ServerStatus status(int id) {
        return server(id).status();
    }

    /** Servers that ended themselves, with the exit status a process would have had. */
    public Map<Integer, Integer> failures() {
        return Map.copyOf(failures);
    }

    /**
     * Waits until one running server leads and every other running one knows it, and returns its id.
     *
     * @throws IllegalStateException when that does not happen within {@code bound} (e.g. no majority runs)
     */
    public int awaitLeader(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            int leader = agreedLeader();
            if (leader != 0) {
                return leader;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader that every running server knows within " + bound.toMillis()
                        + " ms; running: " + describe());
            }
            try {
                Thread.sleep(POLL_MILLIS); // a polling interval, not a stand-in for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a leader", e);
            }
        }
    }

    private int agreedLeader() {
        int leader = 0;
        for (PaxlogServer server : running.values()) {
            if (server.status().isLeader()) {
                if (leader != 0) {
                    return 0;
                }
                leader = server.serverId();
            }
        }
        for (PaxlogServer server : running.values()) {
            if (server.status().leaderHint() != leader) {
                return 0;
            }
        }
        return leader;
    }

    /** Stops server {@code id} as SIGTERM would (in-flight writes finish); its data stays. */
    public void stop(int id) {
        PaxlogServer server = server(id);
        running.remove(id);
        server.close();
    }

    /** Starts server {@code id} again from its data directory (it recovers its log and catches up). */
    public void restart(int id) {
        if (running.containsKey(id)) {
            throw new IllegalStateException("server " + id + " is running");
        }
        startServer(id);
    }

    private PaxlogServer server(int id) {
        PaxlogServer server = running.get(id);
        if (server == null) {
            throw new IllegalArgumentException("server " + id + " is not running (servers " + serverIds()
                    + ", running " + running.keySet() + ")");
        }
        return server;
    }

    private void startServer(int id) {
        PaxlogServer server = PaxlogServer.start(config, id, service, status -> {
            // Never System.exit in someone else's JVM: the server has stopped acknowledging; say so.
            failures.put(id, status);
            LOG.error("embedded server {} failed and stopped acknowledging (a process would exit with status {}); "
                    + "see the log above", id, status);
        });
        running.put(id, server);
    }

    private String describe() {
        StringBuilder text = new StringBuilder();
        running.values().forEach(s -> text.append(s.status()).append("; "));
        return text.append("failed: ").append(failures).toString();
    }

    /** Closes the client, then stops every running server (newest state is on disk). Idempotent. */
    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        for (Integer id : List.copyOf(running.keySet())) {
            stop(id);
        }
    }

    /** What the cluster is made of. {@link #service} and {@link #dataDir} must be given. */
    public static final class Builder {

        private int servers = 3;
        private Service<?, ?> service;
        private Path dataDir;
        private String clusterId = "embedded";
        private String host = "127.0.0.1";
        private Duration electionTimeoutMin = Duration.ofMillis(300);
        private Duration electionTimeoutMax = Duration.ofMillis(600);
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** How many servers, 1 to 31 (default 3); a majority of them must run for commands to be applied. */
        public Builder servers(int servers) {
            this.servers = servers;
            return this;
        }

        /** The service every server runs; need not be on the class path. */
        public Builder service(Service<?, ?> service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        /** Where the data goes: {@code server-<id>} below it per server, and the configuration file. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Written into every log segment and frame (default {@code embedded}): keep it to reuse the data. */
        public Builder clusterId(String clusterId) {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /** The address every server binds (default 127.0.0.1). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * How long a follower waits for a leader before trying to lead (default 300-600 ms: one JVM, no
         * network between servers). The heartbeat is a fifth of {@code min}.
         */
        public Builder electionTimeout(Duration min, Duration max) {
            this.electionTimeoutMin = Objects.requireNonNull(min, "min");
            this.electionTimeoutMax = Objects.requireNonNull(max, "max");
            return this;
        }

        /** How long {@link #start} waits for a leader (default 30 s). */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
            return this;
        }

        /**
         * Starts every server, waits until a leader is known to all, and connects {@link #client()}.
         *
         * @throws IllegalArgumentException when a setting is missing or invalid, or the data directory
         *     holds another service's data
         * @throws IllegalStateException    when no leader is known within the start timeout
         * @throws UncheckedIOException     when the data directory cannot be written or a port bound
         */
        public EmbeddedCluster start() {
            if (service == null || dataDir == null) {
                throw new IllegalArgumentException("an embedded cluster needs a service and a data directory");
            }
            if (servers < 1) {
                throw new IllegalArgumentException("an embedded cluster needs at least one server, not " + servers);
            }
            Path root = dataDir.toAbsolutePath().normalize();
            String yaml = yaml(root);
            ServerConfig config = ServerConfig.parse(yaml, "embedded cluster", root, null,
                    ServiceCatalog.of(List.of(service)));
            EmbeddedCluster cluster = new EmbeddedCluster(config, service);
            try {
                for (int id : config.cluster().serverIds()) {
                    cluster.startServer(id);
                }
                cluster.awaitLeader(startTimeout);
                cluster.client = cluster.clientBuilder().build();
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }

        private String yaml(Path root) {
            List<Integer> ports = freePorts(servers * 3);
            StringBuilder yaml = new StringBuilder("# Written by EmbeddedCluster at each start; the ports change.\n")
                    .append("cluster:\n  id: ").append(clusterId).append("\n  service: ").append(service.name())
                    .append("\n  servers:\n");
            for (int i = 0; i < servers; i++) {
                yaml.append("    - {id: ").append(i + 1)
                        .append(", peer: \"").append(host).append(':').append(ports.get(3 * i))
                        .append("\", client: \"").append(host).append(':').append(ports.get(3 * i + 1))
                        .append("\", http: \"").append(host).append(':').append(ports.get(3 * i + 2)).append("\"}\n");
            }
            yaml.append("server:\n  dataDir: server-{id}\n")
                    .append("  electionTimeoutMinMs: ").append(electionTimeoutMin.toMillis()).append('\n')
                    .append("  electionTimeoutMaxMs: ").append(electionTimeoutMax.toMillis()).append('\n')
                    .append("  heartbeatIntervalMs: ").append(Math.max(1, electionTimeoutMin.toMillis() / 5)).append('\n');
            keep(root, yaml.toString());
            return yaml.toString();
        }

        /** Writes the configuration beside the data, refusing data another service wrote. */
        private void keep(Path root, String yaml) {
            Path file = root.resolve(CONFIG_FILE);
            try {
                Files.createDirectories(root);
                if (Files.exists(file)) {
                    String before = previousService(Files.readString(file, StandardCharsets.UTF_8));
                    if (before != null && !before.equals(service.name())) {
                        throw new IllegalArgumentException(root + " holds the data of a " + before + " cluster, which the "
                                + service.name() + " service cannot read; give another data directory");
                    }
                }
                Path temp = root.resolve(CONFIG_FILE + ".tmp");
                Files.writeString(temp, yaml, StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }

        private static String previousService(String yaml) {
            for (String line : yaml.split("\n")) {
                if (line.startsWith("  service: ")) {
                    return line.substring("  service: ".length()).trim();
                }
            }
            return null;
        }

        private List<Integer> freePorts(int count) {
            List<ServerSocket> sockets = new ArrayList<>();
            try {
                InetAddress address = InetAddress.getByName(host);
                for (int i = 0; i < count; i++) {
                    sockets.add(new ServerSocket(0, 1, address));
                }
                return sockets.stream().map(ServerSocket::getLocalPort).toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find free ports on " + host + ": " + e.getMessage(), e);
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
}
