package io.paxlog.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Everything a {@link PaxlogClient} is built from, checked at construction with one message per
 * mistake. Built by {@link PaxlogClient.Builder}; the field meanings are documented there.
 *
 * @param servers server id to client address, in the order given (the order servers are tried in
 *     while no leader is known)
 * @param callbackExecutor null for the client's own callback thread
 */
record ClientConfig(
        Map<Integer, InetSocketAddress> servers,
        String clusterId,
        long clientId,
        Duration requestTimeout,
        Duration noLeaderTimeout,
        Duration connectTimeout,
        Duration attemptTimeout,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        int maxOutstanding,
        int maxWaiting,
        int frameBytesMax,
        Executor callbackExecutor) {

    /** The largest window a server can usefully have; a larger maxOutstanding is certainly a mistake. */
    static final int MAX_OUTSTANDING_LIMIT = 1 << 16;

    /**
     * Until a client has seen a leader, how long at least it waits for one while servers answer that
     * they know none (issues 10 and 11): right after the servers start, that is their first election,
     * which with the servers' default election timeout (1-2 s, then a round trip, perhaps a second
     * round after a split vote) takes longer than the default no-leader timeout, sized for a failover.
     * Twice the default election timeout's maximum. The request timeout still bounds every command.
     */
    static final Duration FIRST_LEADER_WAIT = Duration.ofSeconds(4);

    ClientConfig {
        List<String> problems = new ArrayList<>();
        if (servers == null || servers.isEmpty()) {
            problems.add("at least one server address is needed");
        } else {
            for (Map.Entry<Integer, InetSocketAddress> server : servers.entrySet()) {
                if (server.getKey() == null || server.getKey() < 1) {
                    problems.add("server ids must be >= 1, was " + server.getKey());
                }
                if (server.getValue() == null) {
                    problems.add("server " + server.getKey() + " has no address");
                } else if (server.getValue().isUnresolved()) {
                    problems.add("server " + server.getKey() + " address " + server.getValue() + " does not resolve");
                }
            }
            if (servers.values().stream().distinct().count() != servers.size()) {
                problems.add("server addresses must be distinct: " + servers);
            }
        }
        if (clusterId == null || clusterId.isBlank()) {
            problems.add("cluster id must be set (the servers' cluster id)");
        }
        if (clientId < 1) {
            problems.add("client id must be >= 1, was " + clientId);
        } else if (clientId >= 1L << 62) {
            problems.add("client id " + clientId + " is in the range the servers reserve for their own proposals"
                    + " (2^62 and up); servers refuse it");
        }
        requirePositive(requestTimeout, "requestTimeout", problems);
        requirePositive(noLeaderTimeout, "noLeaderTimeout", problems);
        if (attemptTimeout == null || attemptTimeout.isNegative()) {
            problems.add("attemptTimeout must be >= 0 (0: wait for the request timeout), was " + attemptTimeout);
        }
        requirePositive(connectTimeout, "connectTimeout", problems);
        requirePositive(retryBackoffMin, "retryBackoffMin", problems);
        requirePositive(retryBackoffMax, "retryBackoffMax", problems);
        if (retryBackoffMin != null && retryBackoffMax != null && retryBackoffMin.compareTo(retryBackoffMax) > 0) {
            problems.add("retryBackoffMin (" + retryBackoffMin + ") must not exceed retryBackoffMax (" + retryBackoffMax + ")");
        }
        if (maxOutstanding < 1 || maxOutstanding > MAX_OUTSTANDING_LIMIT) {
            problems.add("maxOutstanding must be in 1.." + MAX_OUTSTANDING_LIMIT + " and at most the servers'"
                    + " exactly-once window, was " + maxOutstanding);
        }
        if (maxWaiting < 0) {
            problems.add("maxWaiting must be >= 0, was " + maxWaiting);
        }
        if (frameBytesMax < 1024) {
            problems.add("frameBytesMax must be >= 1024, was " + frameBytesMax);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid client configuration: " + String.join("; ", problems));
        }
        servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    }

    private static void requirePositive(Duration duration, String name, List<String> problems) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            problems.add(name + " must be positive, was " + duration);
        }
    }

    /**
     * Parses {@code "host:port,host:port"} (server ids 1, 2, ... in order) or
     * {@code "1=host:port,3=host:port"} (explicit ids, as in the cluster file). IPv6 hosts in brackets:
     * {@code [::1]:7081}. Names are resolved here.
     */
    static Map<Integer, InetSocketAddress> parseServers(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("server list is empty");
        }
        Map<Integer, InetSocketAddress> servers = new LinkedHashMap<>();
        String[] items = list.split(",");
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            int equals = item.indexOf('=');
            int id = i + 1;
            String address = item;
            if (equals >= 0) {
                try {
                    id = Integer.parseInt(item.substring(0, equals).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad server id in '" + item + "': expected id=host:port");
                }
                address = item.substring(equals + 1).trim();
            }
            if (servers.put(id, parseAddress(address)) != null) {
                throw new IllegalArgumentException("server id " + id + " appears twice in '" + list + "'");
            }
        }
        return servers;
    }

    static InetSocketAddress parseAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("bad server address '" + address + "': expected host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in server address '" + address + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of '" + address + "' must be in 1..65535");
        }
        return new InetSocketAddress(host, port);
    }

    /** {@code 2=127.0.0.1:7082}: how messages name a server, without InetSocketAddress's slash. */
    String describe(int serverId) {
        InetSocketAddress address = servers.get(serverId);
        return serverId + "=" + address.getHostString() + ":" + address.getPort();
    }
}
