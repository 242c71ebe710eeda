package io.paxlog.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.paxlog.server.service.ServiceCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import io.paxlog.core.SessionLimits;
import io.paxlog.core.runtime.SessionConfig;
import java.util.TreeSet;

/**
 * Turns the YAML tree into typed configuration, collecting every problem instead of stopping at the
 * first: an unknown field, a wrong type and an impossible timeout in one file give three lines. Works
 * on Jackson's tree rather than data binding because binding stops at the first error.
 *
 * <p>Each problem is {@code "path: what"} with the path as written in the file
 * ({@code cluster.servers[2].peer}).
 */
final class ConfigReader {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Set<String> ROOT_FIELDS = Set.of("cluster", "server");
    private static final Set<String> CLUSTER_FIELDS = Set.of("id", "service", "exactlyOnceWindow", "servers",
            "sessionTimeoutMs", "keyTtlMs", "sessionsMax", "keysMax");
    private static final Set<String> SERVER_ENTRY_FIELDS = Set.of("id", "peer", "client", "http");
    private static final Set<String> SETTINGS_FIELDS = Set.of("dataDir", "electionTimeoutMinMs",
            "electionTimeoutMaxMs", "heartbeatIntervalMs", "tickIntervalMs", "snapshotEverySlots", "walSegmentBytes",
            "limits");
    private static final Set<String> LIMITS_FIELDS = Set.of("frameBytesMax", "commandBytesMax", "clientQueueMax",
            "peerQueueMax", "pendingCommandsMax", "inflightSlotsMax", "storeBatchSlotsMax", "storeBatchBytesMax",
            "readSlotsMax", "catchUpSlotsMax", "snapshotChunkBytesMax", "httpBodyBytesMax",
            "httpConnectionsPerAddressMax");

    private final List<String> problems = new ArrayList<>();
    /** Where {@code cluster.service} must be found. */
    private final ServiceCatalog services;
    /** Every valid server id found, even in a cluster section with mistakes: --id is checked against them. */
    private final List<Integer> serverIds = new ArrayList<>();

    private ConfigReader(ServiceCatalog services) {
        this.services = services;
    }

    /**
     * Reads {@code yaml}; throws a {@link ConfigException} naming {@code source} with every problem.
     * {@code cluster.service} must name one of {@code services}.
     */
    static ServerConfig read(String yaml, String source, Path baseDirectory, Integer selfId, ServiceCatalog services) {
        ConfigReader reader = new ConfigReader(services);
        ServerConfig config = reader.parse(yaml, baseDirectory, selfId);
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(source, reader.problems);
        }
        return config;
    }

    private ServerConfig parse(String yaml, Path baseDirectory, Integer selfId) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            problems.add((where != null ? "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": " : "")
                    + "not valid YAML: " + e.getOriginalMessage());
            return null;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add("the file is empty; it needs a cluster and a server section");
            return null;
        }
        if (!mapping(root, "", ROOT_FIELDS)) {
            return null;
        }
        ClusterConfig cluster = cluster(root.get("cluster"));
        ServerSettings settings = settings(root.get("server"));
        if (selfId != null && !serverIds.isEmpty() && !serverIds.contains(selfId)) {
            problems.add("--id " + selfId + ": no server with this id in the cluster (ids: "
                    + serverIds.stream().distinct().sorted().toList() + ")");
        }
        if (cluster == null || settings == null || !problems.isEmpty()) {
            return null;
        }
        return new ServerConfig(cluster, settings, baseDirectory);
    }

    private ClusterConfig cluster(JsonNode node) {
        String path = "cluster";
        if (isAbsent(node)) {
            problems.add("cluster: missing (id, servers)");
            return null;
        }
        if (!mapping(node, path, CLUSTER_FIELDS)) {
            return null;
        }
        int before = problems.size();
        String id = text(node, path, "id", null);
        String service = service(node, path);
        Long window = number(node, path, "exactlyOnceWindow", (long) ClusterConfig.EXACTLY_ONCE_WINDOW_DEFAULT);
        SessionLimits sessions = sessions(node, path);
        List<Integer> ids = serverIds;
        List<ServerAddresses> servers = servers(node.get("servers"), path + ".servers", ids);
        if (problems.size() == before) {
            return build(path, () -> ClusterConfig.problems(id, service, window.intValue(), servers, services),
                    () -> new ClusterConfig(id, service, window.intValue(), servers, sessions));
        }
        // Still name every other mistake that can be seen, so the file is fixed in one pass.
        List<String> found = new ArrayList<>();
        if (id != null && service != null && window != null) {
            found.addAll(ClusterConfig.scalarProblems(id, service, window.intValue(), services));
        }
        found.addAll(ClusterConfig.duplicateIds(ids));
        found.addAll(ClusterConfig.duplicateAddresses(servers));
        found.forEach(problem -> problems.add(path + "." + problem));
        return null;
    }

    /**
     * The session limits, each optional with its default; null (and a problem noted) when one is invalid.
     * The clock interval of log time is {@link SessionConfig#CLOCK_INTERVAL_MS_DEFAULT}, which the
     * timeout must be at least three of.
     */
    private SessionLimits sessions(JsonNode node, String path) {
        Long timeout = number(node, path, "sessionTimeoutMs", SessionLimits.SESSION_TIMEOUT_MS_DEFAULT);
        Long ttl = number(node, path, "keyTtlMs", SessionLimits.KEY_TTL_MS_DEFAULT);
        Long sessionsMax = number(node, path, "sessionsMax", (long) SessionLimits.SESSIONS_MAX_DEFAULT);
        Long keysMax = number(node, path, "keysMax", (long) SessionLimits.KEYS_MAX_DEFAULT);
        if (timeout == null || ttl == null || sessionsMax == null || keysMax == null) {
            return null;
        }
        if (sessionsMax > Integer.MAX_VALUE || keysMax > Integer.MAX_VALUE) {
            problems.add(path + ": sessionsMax and keysMax must be at most " + Integer.MAX_VALUE);
            return null;
        }
        try {
            SessionLimits limits = new SessionLimits(timeout, ttl, sessionsMax.intValue(), keysMax.intValue());
            new SessionConfig(limits, SessionConfig.CLOCK_INTERVAL_MS_DEFAULT);
            return limits;
        } catch (IllegalArgumentException e) {
            problems.add(path + ": " + e.getMessage());
            return null;
        }
    }

    /** The entries that are whole; {@code ids} receives the id of every entry that has a valid one. */
    private List<ServerAddresses> servers(JsonNode node, String path, List<Integer> ids) {
        List<ServerAddresses> servers = new ArrayList<>();
        if (isAbsent(node)) {
            problems.add(path + ": missing (a list of servers, each with id, peer, client and http)");
            return servers;
        }
        if (!node.isArray()) {
            problems.add(path + ": must be a list of servers, each with id, peer, client and http");
            return servers;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String entryPath = path + "[" + i + "]";
            if (!mapping(entry, entryPath, SERVER_ENTRY_FIELDS)) {
                continue;
            }
            Long id = number(entry, entryPath, "id", null);
            HostPort peer = address(entry, entryPath, "peer");
            HostPort client = address(entry, entryPath, "client");
            HostPort http = address(entry, entryPath, "http");
            if (id != null && (id < 1 || id > Integer.MAX_VALUE)) {
                problems.add(entryPath + ".id: server ids are positive, was " + id);
                id = null;
            }
            if (id != null) {
                ids.add(id.intValue());
            }
            if (id != null && peer != null && client != null && http != null) {
                servers.add(new ServerAddresses(id.intValue(), peer, client, http));
            }
        }
        return servers;
    }

    private ServerSettings settings(JsonNode node) {
        String path = "server";
        if (isAbsent(node)) {
            problems.add("server: missing (at least dataDir)");
            return null;
        }
        if (!mapping(node, path, SETTINGS_FIELDS)) {
            return null;
        }
        int before = problems.size();
        String dataDir = text(node, path, "dataDir", null);
        Long min = number(node, path, "electionTimeoutMinMs", ServerSettings.ELECTION_TIMEOUT_MIN_MS_DEFAULT);
        Long max = number(node, path, "electionTimeoutMaxMs", ServerSettings.ELECTION_TIMEOUT_MAX_MS_DEFAULT);
        Long heartbeat = number(node, path, "heartbeatIntervalMs", ServerSettings.HEARTBEAT_INTERVAL_MS_DEFAULT);
        Long tick = number(node, path, "tickIntervalMs", ServerSettings.TICK_INTERVAL_MS_DEFAULT);
        Long snapshotEvery = number(node, path, "snapshotEverySlots", ServerSettings.SNAPSHOT_EVERY_SLOTS_DEFAULT);
        Long segmentBytes = number(node, path, "walSegmentBytes", ServerSettings.WAL_SEGMENT_BYTES_DEFAULT);
        Limits limits = limits(node.get("limits"), path + ".limits");
        if (dataDir == null || min == null || max == null || heartbeat == null || tick == null
                || snapshotEvery == null || segmentBytes == null) {
            return null;
        }
        ServerSettings settings = build(path, () -> ServerSettings.problems(dataDir, min, max, heartbeat, tick,
                snapshotEvery, segmentBytes), () -> limits == null ? null : new ServerSettings(dataDir, min, max,
                heartbeat, tick, snapshotEvery, segmentBytes, limits));
        return problems.size() == before ? settings : null;
    }

    private Limits limits(JsonNode node, String path) {
        if (isAbsent(node)) {
            return Limits.DEFAULTS;
        }
        if (!mapping(node, path, LIMITS_FIELDS)) {
            return null;
        }
        Limits d = Limits.DEFAULTS;
        int before = problems.size();
        Integer frame = integer(node, path, "frameBytesMax", d.frameBytesMax());
        Integer command = integer(node, path, "commandBytesMax", d.commandBytesMax());
        Integer clientQueue = integer(node, path, "clientQueueMax", d.clientQueueMax());
        Integer peerQueue = integer(node, path, "peerQueueMax", d.peerQueueMax());
        Integer pending = integer(node, path, "pendingCommandsMax", d.pendingCommandsMax());
        Integer inflight = integer(node, path, "inflightSlotsMax", d.inflightSlotsMax());
        Integer storeSlots = integer(node, path, "storeBatchSlotsMax", d.storeBatchSlotsMax());
        Integer storeBytes = integer(node, path, "storeBatchBytesMax", d.storeBatchBytesMax());
        Integer readSlots = integer(node, path, "readSlotsMax", d.readSlotsMax());
        Integer catchUp = integer(node, path, "catchUpSlotsMax", d.catchUpSlotsMax());
        Integer chunk = integer(node, path, "snapshotChunkBytesMax", d.snapshotChunkBytesMax());
        Integer httpBody = integer(node, path, "httpBodyBytesMax", d.httpBodyBytesMax());
        Integer httpConnections = integer(node, path, "httpConnectionsPerAddressMax", d.httpConnectionsPerAddressMax());
        if (problems.size() > before) {
            return null;
        }
        return build(path, () -> Limits.problems(frame, command, clientQueue, peerQueue, pending, inflight, storeSlots,
                storeBytes, readSlots, catchUp, chunk, httpBody, httpConnections), () -> new Limits(frame, command,
                clientQueue, peerQueue, pending, inflight, storeSlots, storeBytes, readSlots, catchUp, chunk, httpBody,
                httpConnections));
    }

    // ---- Helpers: each reports its own problem and returns null on one ----

    private <T> T build(String path, java.util.function.Supplier<List<String>> check,
            java.util.function.Supplier<T> constructor) {
        List<String> found = check.get();
        if (!found.isEmpty()) {
            found.forEach(problem -> problems.add(path + "." + problem));
            return null;
        }
        return constructor.get();
    }

    /** Whether {@code node} is a mapping; reports every field it has that is not in {@code known}. */
    private boolean mapping(JsonNode node, String path, Set<String> known) {
        if (!node.isObject()) {
            problems.add((path.isEmpty() ? "the file" : path) + ": must be a mapping of fields "
                    + new TreeSet<>(known));
            return false;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add((path.isEmpty() ? "" : path + ".") + name + ": unknown field (known here: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return true;
    }

    /**
     * {@code cluster.service}, required: a file without it once ran the journal silently, which a user who
     * meant kv learned only from the first 404. The message names what there is to choose from.
     */
    private String service(JsonNode cluster, String path) {
        if (isAbsent(cluster.get("service"))) {
            problems.add(path + ".service: missing: name the service every server runs, one of " + services.names()
                    + " (e.g. service: kv); a data directory keeps the service it was first started with");
            return null;
        }
        return text(cluster, path, "service", null);
    }

    private String text(JsonNode parent, String path, String field, String fallback) {
        JsonNode node = parent.get(field);
        if (isAbsent(node)) {
            if (fallback == null) {
                problems.add(path + "." + field + ": missing");
            }
            return fallback;
        }
        if (!node.isTextual() && !node.isNumber()) {
            problems.add(path + "." + field + ": must be text, was " + describe(node));
            return null;
        }
        return node.asText();
    }

    private Long number(JsonNode parent, String path, String field, Long fallback) {
        JsonNode node = parent.get(field);
        if (isAbsent(node)) {
            if (fallback == null) {
                problems.add(path + "." + field + ": missing");
            }
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            problems.add(path + "." + field + ": must be a whole number, was " + describe(node));
            return null;
        }
        return node.longValue();
    }

    private Integer integer(JsonNode parent, String path, String field, int fallback) {
        Long value = number(parent, path, field, (long) fallback);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            problems.add(path + "." + field + ": " + value + " is too large (at most " + Integer.MAX_VALUE + ")");
            return null;
        }
        return value.intValue();
    }

    private HostPort address(JsonNode parent, String path, String field) {
        String text = text(parent, path, field, null);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(path + "." + field + ": " + e.getMessage());
            return null;
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "\"" + node.asText() + "\"";
        }
        if (node.isContainerNode()) {
            return node.isArray() ? "a list" : "a mapping";
        }
        return node.toString();
    }
}
