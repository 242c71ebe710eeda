package io.paxlog.server.config;

import io.paxlog.server.service.ServiceCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.paxlog.core.SessionLimits;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What must be the same on every server of a cluster: who the servers are, which service they run,
 * and the exactly-once window (part of the replicated state: a snapshot taken with one window cannot
 * be restored under another).
 *
 * @param id                cluster id, 1 to 64 characters from {@code [A-Za-z0-9._-]}; written in every
 *                          log segment and every network frame so that servers of two clusters never mix
 * @param service           the service every server runs, by its {@code Service.name()}: one found on the
 *                          class path (see {@link ServiceCatalog}); the record itself checks only the
 *                          name's form, {@link #problems} checks that the name picks a service
 * @param exactlyOnceWindow how many recent results per client are kept for retries
 * @param servers           every server, 1 to 31 of them, ids and addresses distinct
 * @param sessions          the bounds of the exactly-once table: session timeout, key ttl, sessions and keys at
 *                          most ({@code sessionTimeoutMs}, {@code keyTtlMs}, {@code sessionsMax}, {@code keysMax});
 *                          a leader's clock commands carry its own, so they take effect cluster-wide at one slot
 *                          (docs/protocol.md#client-sessions) and a change needs no restart of every server at once
 */
public record ClusterConfig(String id, String service, int exactlyOnceWindow, List<ServerAddresses> servers,
        SessionLimits sessions) {

    /** With the default session limits. */
    public ClusterConfig(String id, String service, int exactlyOnceWindow, List<ServerAddresses> servers) {
        this(id, service, exactlyOnceWindow, servers, SessionLimits.DEFAULT);
    }

    public static final int EXACTLY_ONCE_WINDOW_DEFAULT = 1024;
    static final int EXACTLY_ONCE_WINDOW_MAX = 1 << 20;
    static final int SERVERS_MAX = 31;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The form of a service name, as {@code Service.name()} promises it. */
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9-]{1,64}");

    /**
     * Checks everything but whether a service of that name exists: which services exist depends on the
     * class path (or on what an embedded cluster was given), which a value does not know. Whoever reads
     * a configuration checks that with {@link #problems}.
     */
    public ClusterConfig {
        servers = List.copyOf(servers);
        Objects.requireNonNull(sessions, "sessions");
        List<String> problems = problems(id, service, exactlyOnceWindow, servers, null);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * Every reason these values do not make a cluster that can run; empty when they do.
     *
     * @param services where {@code service} must be found; null checks the name's form only
     */
    static List<String> problems(String id, String service, int exactlyOnceWindow, List<ServerAddresses> servers,
            ServiceCatalog services) {
        List<String> problems = scalarProblems(id, service, exactlyOnceWindow, services);
        if (servers.isEmpty()) {
            problems.add("servers: the cluster needs at least one server");
        }
        if (servers.size() > SERVERS_MAX) {
            problems.add("servers: at most " + SERVERS_MAX + " servers, found " + servers.size());
        }
        problems.addAll(duplicateIds(servers.stream().map(ServerAddresses::id).toList()));
        problems.addAll(duplicateAddresses(servers));
        return problems;
    }

    /** As {@link #problems}, for the values that are not lists. */
    static List<String> scalarProblems(String id, String service, int exactlyOnceWindow, ServiceCatalog services) {
        List<String> problems = new ArrayList<>();
        if (id == null || !ID.matcher(id).matches()) {
            problems.add("id: \"" + id + "\" is not 1 to 64 characters from [A-Za-z0-9._-]");
        }
        if (service == null || !SERVICE_NAME.matcher(service).matches()) {
            problems.add("service: \"" + service + "\" is not a service name (1 to 64 characters from [a-z0-9-])");
        } else if (services != null && services.problem(service) != null) {
            problems.add("service: " + services.problem(service));
        }
        if (exactlyOnceWindow < 1 || exactlyOnceWindow > EXACTLY_ONCE_WINDOW_MAX) {
            problems.add("exactlyOnceWindow: " + exactlyOnceWindow + " is not in 1-" + EXACTLY_ONCE_WINDOW_MAX);
        }
        return problems;
    }

    /** Ids given to more than one server. */
    static List<String> duplicateIds(List<Integer> ids) {
        Map<Integer, Integer> countById = new TreeMap<>();
        ids.forEach(id -> countById.merge(id, 1, Integer::sum));
        List<String> problems = new ArrayList<>();
        countById.forEach((id, count) -> {
            if (count > 1) {
                problems.add("servers: server id " + id + " is used by " + count + " servers");
            }
        });
        return problems;
    }

    /** Addresses used twice, by two servers or two roles of one; named by server id and role. */
    static List<String> duplicateAddresses(List<ServerAddresses> servers) {
        List<String> problems = new ArrayList<>();
        Map<String, String> ownerByAddress = new HashMap<>();
        for (ServerAddresses server : servers) {
            checkAddress(problems, ownerByAddress, server, "peer", server.peer());
            checkAddress(problems, ownerByAddress, server, "client", server.client());
            checkAddress(problems, ownerByAddress, server, "http", server.http());
        }
        return problems;
    }

    private static void checkAddress(List<String> problems, Map<String, String> ownerByAddress,
            ServerAddresses server, String role, HostPort address) {
        String owner = "server " + server.id() + " " + role;
        String earlier = ownerByAddress.putIfAbsent(address.key(), owner);
        if (earlier != null) {
            problems.add("servers: address " + address + " is used by both " + earlier + " and " + owner);
        }
    }

    public List<Integer> serverIds() {
        return servers.stream().map(ServerAddresses::id).toList();
    }

    /** The addresses of server {@code id}. */
    public ServerAddresses server(int serverId) {
        return servers.stream().filter(s -> s.id() == serverId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("server " + serverId + " is not in cluster " + id
                        + " (servers " + serverIds() + ")"));
    }
}
