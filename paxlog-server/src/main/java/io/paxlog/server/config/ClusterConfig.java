package io.paxlog.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What must be the same on every server of a cluster: who the servers are, which service they run,
 * and the exactly-once window (part of the replicated state: a snapshot taken with one window cannot
 * be restored under another).
 *
 * @param id                cluster id, 1 to 64 characters from {@code [A-Za-z0-9._-]}; written in every
 *                          log segment and every network frame so that servers of two clusters never mix
 * @param service           the state machine every server runs, one of {@link #SERVICES}
 * @param exactlyOnceWindow how many recent results per client are kept for retries
 * @param servers           every server, 1 to 31 of them, ids and addresses distinct
 */
public record ClusterConfig(String id, String service, int exactlyOnceWindow, List<ServerAddresses> servers) {

    /** Services a server knows how to run, in a fixed order so that messages listing them are stable. */
    public static final Set<String> SERVICES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of("journal", "kv",
            "lock")));
    public static final String SERVICE_DEFAULT = "journal";
    public static final int EXACTLY_ONCE_WINDOW_DEFAULT = 1024;
    static final int EXACTLY_ONCE_WINDOW_MAX = 1 << 20;
    static final int SERVERS_MAX = 31;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public ClusterConfig {
        servers = List.copyOf(servers);
        List<String> problems = problems(id, service, exactlyOnceWindow, servers);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Every reason these values do not make a cluster; empty when they do. */
    static List<String> problems(String id, String service, int exactlyOnceWindow, List<ServerAddresses> servers) {
        List<String> problems = scalarProblems(id, service, exactlyOnceWindow);
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

    static List<String> scalarProblems(String id, String service, int exactlyOnceWindow) {
        List<String> problems = new ArrayList<>();
        if (id == null || !ID.matcher(id).matches()) {
            problems.add("id: \"" + id + "\" is not 1 to 64 characters from [A-Za-z0-9._-]");
        }
        if (!SERVICES.contains(service)) {
            problems.add("service: \"" + service + "\" is not one of " + SERVICES);
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
