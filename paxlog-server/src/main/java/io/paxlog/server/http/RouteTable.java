package io.paxlog.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Which {@link ServiceRoutes} owns a path: the providers on the class path, their prefixes checked once
 * at start so that a path never has two owners.
 */
final class RouteTable {

    /** Paths the server answers itself, which no provider may claim. */
    static final List<String> RESERVED = List.of("/v1/status", "/metrics", ServiceEndpoints.PREFIX);

    /** Owner by prefix. */
    private final Map<String, ServiceRoutes> byPrefix;

    private RouteTable(Map<String, ServiceRoutes> byPrefix) {
        this.byPrefix = byPrefix;
    }

    /** The providers the class loader of this thread finds. */
    static RouteTable onClassPath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<ServiceRoutes> routes = new ArrayList<>();
        ServiceLoader.load(ServiceRoutes.class, loader != null ? loader : RouteTable.class.getClassLoader())
                .forEach(routes::add);
        return of(routes);
    }

    /**
     * @throws IllegalStateException naming both providers when two prefixes overlap, or the provider of a
     *     malformed or reserved prefix
     */
    static RouteTable of(List<ServiceRoutes> routes) {
        Map<String, ServiceRoutes> byPrefix = new TreeMap<>();
        for (ServiceRoutes route : routes) {
            for (String prefix : route.prefixes()) {
                if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("?")) {
                    throw new IllegalStateException(describe(route) + " claims the path prefix \"" + prefix
                            + "\": a prefix starts with / and does not end with one");
                }
                for (String reserved : RESERVED) {
                    if (overlap(prefix, reserved)) {
                        throw new IllegalStateException(describe(route) + " claims " + prefix + ", which overlaps the"
                                + " server's own " + reserved);
                    }
                }
                for (Map.Entry<String, ServiceRoutes> other : byPrefix.entrySet()) {
                    if (overlap(prefix, other.getKey())) {
                        throw new IllegalStateException(describe(route) + " claims " + prefix + ", which overlaps "
                                + other.getKey() + " of " + describe(other.getValue()));
                    }
                }
                byPrefix.put(prefix, route);
            }
        }
        return new RouteTable(byPrefix);
    }

    /** The owner of {@code path}, or null. Prefixes do not overlap, so at most one matches. */
    ServiceRoutes owner(String path) {
        for (Map.Entry<String, ServiceRoutes> entry : byPrefix.entrySet()) {
            if (under(path, entry.getKey())) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** The prefixes of {@code service}'s routes, for a 404 that says what there is. */
    List<String> prefixesOf(String service) {
        return byPrefix.entrySet().stream().filter(e -> e.getValue().service().equals(service))
                .map(Map.Entry::getKey).toList();
    }

    /** Whether {@code path} is {@code prefix} or below it. */
    static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static boolean overlap(String a, String b) {
        return under(a, b) || under(b, a);
    }

    private static String describe(ServiceRoutes route) {
        return route.getClass().getName() + " (service " + route.service() + ")";
    }
}
