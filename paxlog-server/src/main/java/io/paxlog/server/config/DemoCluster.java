package io.paxlog.server.config;

import io.paxlog.server.service.ServiceCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of {@code paxlog demo}: five servers on 127.0.0.1. Server i (1..5) serves HTTP on
 * {@code basePort + i}, peers on {@code basePort + 1000 + i} and clients on {@code basePort - 1000 + i}:
 * with the default base 8080 that is 8081-8085, 9081-9085 and 7081-7085; another base shifts all three
 * by the same offset. Data goes to {@code server-i} beside the file.
 */
public final class DemoCluster {

    public static final int SERVERS = 5;
    public static final int BASE_PORT_DEFAULT = 8080;
    public static final String CLUSTER_ID = "demo";
    public static final String FILE_NAME = "demo-cluster.yaml";
    /** Peer and client ports sit this far above and below the HTTP ports. */
    static final int PORT_SPREAD = 1000;

    private DemoCluster() {}

    /** Whether every port of a demo cluster on {@code basePort} is a valid, unprivileged port. */
    public static void requireValidBasePort(int basePort) {
        int lowest = basePort - PORT_SPREAD + 1;
        int highest = basePort + PORT_SPREAD + SERVERS;
        if (lowest < 1024 || highest > 65535) {
            throw new IllegalArgumentException("--base-port " + basePort + " puts the demo's ports at " + lowest + "-"
                    + highest + "; they must lie in 1024-65535 (base port " + (1024 + PORT_SPREAD - 1) + "-"
                    + (65535 - PORT_SPREAD - SERVERS) + ")");
        }
    }

    public static int httpPort(int basePort, int serverId) {
        return basePort + serverId;
    }

    public static int peerPort(int basePort, int serverId) {
        return basePort + PORT_SPREAD + serverId;
    }

    public static int clientPort(int basePort, int serverId) {
        return basePort - PORT_SPREAD + serverId;
    }

    /** The configuration text of a journal cluster. */
    public static String yaml(int basePort) {
        return yaml(basePort, "journal");
    }

    /** The configuration text, running {@code service}, commented for a reader who opens the file. */
    public static String yaml(int basePort, String service) {
        requireValidBasePort(basePort);
        String problem = ServiceCatalog.onClassPath().problem(service);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        StringBuilder text = new StringBuilder()
                .append("# The local demo cluster, written by `paxlog demo`; rewritten at every start.\n")
                .append("cluster:\n")
                .append("  id: ").append(CLUSTER_ID).append('\n')
                .append("  service: ").append(service).append('\n')
                .append("  servers:\n");
        for (int id = 1; id <= SERVERS; id++) {
            text.append("    - {id: ").append(id)
                    .append(", peer: \"127.0.0.1:").append(peerPort(basePort, id))
                    .append("\", client: \"127.0.0.1:").append(clientPort(basePort, id))
                    .append("\", http: \"127.0.0.1:").append(httpPort(basePort, id)).append("\"}\n");
        }
        return text.append("server:\n")
                .append("  dataDir: server-{id}        # beside this file\n")
                .append("  electionTimeoutMinMs: 1000\n")
                .append("  electionTimeoutMaxMs: 2000\n")
                .append("  heartbeatIntervalMs: 100\n")
                .append("  walSegmentBytes: 8388608     # 8 MiB: small segments for a laptop\n")
                .toString();
    }

    /** Writes a journal cluster's configuration; see {@link #write(Path, int, String)}. */
    public static Path write(Path dataDirectory, int basePort) throws IOException {
        return write(dataDirectory, basePort, "journal");
    }

    /**
     * The service an earlier demo in {@code dataDirectory} ran (from its configuration file), or null if
     * there was none. Its data holds that service's commands and snapshots, which another service cannot
     * read.
     */
    public static String previousService(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return null;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("service:")) {
                return trimmed.substring("service:".length()).trim();
            }
        }
        return null;
    }

    /** Writes the configuration into {@code dataDirectory} (created if missing) and returns its path. */
    public static Path write(Path dataDirectory, int basePort, String service) throws IOException {
        String yaml = yaml(basePort, service);
        Files.createDirectories(dataDirectory);
        Path file = dataDirectory.resolve(FILE_NAME);
        Path temp = dataDirectory.resolve(FILE_NAME + ".tmp");
        Files.writeString(temp, yaml, StandardCharsets.UTF_8);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
