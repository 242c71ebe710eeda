package io.paxlog.server.config;

import io.paxlog.core.ReplicaConfig;
import io.paxlog.server.service.ServiceCatalog;
import io.paxlog.storage.WalConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server's whole configuration, read from one YAML file (example: {@link DemoCluster}):
 *
 * <pre>
 * cluster:                        # must be the same on every server
 *   id: demo
 *   service: journal              # required: kv, lock, journal or any service on the class path
 *   exactlyOnceWindow: 1024       # optional
 *   servers:
 *     - {id: 1, peer: "127.0.0.1:9081", client: "127.0.0.1:7081", http: "127.0.0.1:8081"}
 * server:                         # each server may tune these
 *   dataDir: server-{id}          # relative to this file's directory
 *   electionTimeoutMinMs: 1000    # optional, as everything below
 *   electionTimeoutMaxMs: 2000
 *   heartbeatIntervalMs: 100
 *   tickIntervalMs: 5
 *   snapshotEverySlots: 100000
 *   walSegmentBytes: 67108864
 *   limits: {frameBytesMax: 16777216, commandBytesMax: 1052672, ...}   # see {@link Limits}
 * </pre>
 *
 * <p>Parsed at the edge only: everything past {@link #load} sees typed, validated records.
 *
 * @param baseDirectory what a relative {@code dataDir} is relative to: the file's directory
 */
public record ServerConfig(ClusterConfig cluster, ServerSettings settings, Path baseDirectory) {

    public ServerConfig {
        if (cluster == null || settings == null || baseDirectory == null) {
            throw new IllegalArgumentException("a server configuration needs a cluster, settings and a base directory");
        }
    }

    /** Reads and validates {@code file}; its service must be on the class path. */
    public static ServerConfig load(Path file) {
        return load(file, null);
    }

    /**
     * Reads and validates {@code file} for server {@code selfId} (null: for any server); its service must
     * be on the class path.
     *
     * @throws ConfigException listing every problem, the file name first
     */
    public static ServerConfig load(Path file, Integer selfId) {
        return load(file, selfId, ServiceCatalog.onClassPath());
    }

    /** As {@link #load(Path, Integer)}, with the service found among {@code services}. */
    public static ServerConfig load(Path file, Integer selfId, ServiceCatalog services) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), java.util.List.of("cannot read the file: " + e));
        }
        Path base = file.toAbsolutePath().getParent();
        return ConfigReader.read(yaml, file.toString(), base, selfId, services);
    }

    /** Reads configuration text; {@code source} names it in messages. Its service must be on the class path. */
    public static ServerConfig parse(String yaml, String source, Path baseDirectory, Integer selfId) {
        return parse(yaml, source, baseDirectory, selfId, ServiceCatalog.onClassPath());
    }

    /** As {@link #parse(String, String, Path, Integer)}, with the service found among {@code services}. */
    public static ServerConfig parse(String yaml, String source, Path baseDirectory, Integer selfId,
            ServiceCatalog services) {
        return ConfigReader.read(yaml, source, baseDirectory, selfId, services);
    }

    /** Where server {@code serverId} keeps its data: {@code dataDir} with its id, made absolute. */
    public Path dataDirectory(int serverId) {
        cluster.server(serverId);
        Path dir = Path.of(settings.dataDir().replace("{id}", Integer.toString(serverId)));
        return baseDirectory.resolve(dir).toAbsolutePath().normalize();
    }

    public ReplicaConfig replicaConfig(int selfId) {
        Limits limits = settings.limits();
        return new ReplicaConfig(selfId, cluster.serverIds(), settings.electionTimeoutMinMs(),
                settings.electionTimeoutMaxMs(), settings.heartbeatIntervalMs(), limits.inflightSlotsMax(),
                limits.storeBatchSlotsMax(), limits.storeBatchBytesMax(), limits.readSlotsMax(),
                limits.catchUpSlotsMax(), limits.pendingCommandsMax(), limits.snapshotChunkBytesMax());
    }

    public WalConfig walConfig(int selfId) {
        cluster.server(selfId);
        return WalConfig.defaults(cluster.id(), selfId).withSegmentBytes(settings.walSegmentBytes(), true);
    }
}
