package io.paxlog.chaos.net;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link LinkProxy} for every directed link between the servers of one cluster: server X reaches
 * peer Y at {@link #address(Link) address(X->Y)}, which forwards to Y's real peer port. Links are cut
 * and restored one by one; every method may be called from any thread (each proxy's own selector thread
 * applies the change before the call returns).
 */
public final class ProxiedLinks implements AutoCloseable {

    private final Map<Link, LinkProxy> proxies = new LinkedHashMap<>();

    /** Starts a proxy for each ordered pair of {@code peerAddresses}' servers (all up). */
    public ProxiedLinks(Map<Integer, InetSocketAddress> peerAddresses) {
        try {
            for (int from : peerAddresses.keySet()) {
                for (Map.Entry<Integer, InetSocketAddress> to : peerAddresses.entrySet()) {
                    if (to.getKey() != from) {
                        Link link = new Link(from, to.getKey());
                        proxies.put(link, LinkProxy.start(link.toString(), to.getValue()));
                    }
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Where server {@code link.from()} connects to reach {@code link.to()}. */
    public InetSocketAddress address(Link link) {
        return new InetSocketAddress("127.0.0.1", proxy(link).port());
    }

    public LinkProxy proxy(Link link) {
        LinkProxy proxy = proxies.get(link);
        if (proxy == null) {
            throw new IllegalArgumentException("no such link: " + link);
        }
        return proxy;
    }

    public void down(Collection<Link> links) {
        links.forEach(link -> proxy(link).down());
    }

    public void up(Collection<Link> links) {
        links.forEach(link -> proxy(link).up());
    }

    /** Every link that is down now. */
    public List<Link> downLinks() {
        List<Link> down = new ArrayList<>();
        proxies.forEach((link, proxy) -> {
            if (!proxy.isUp()) {
                down.add(link);
            }
        });
        return down;
    }

    /** Every link into {@code server} (its peers' messages to it). */
    public static List<Link> into(int server, Collection<Integer> ids) {
        return ids.stream().filter(id -> id != server).map(id -> new Link(id, server)).toList();
    }

    /** Every link out of {@code server} (its messages to its peers). */
    public static List<Link> outOf(int server, Collection<Integer> ids) {
        return ids.stream().filter(id -> id != server).map(id -> new Link(server, id)).toList();
    }

    /** Every link between a server of {@code side} and one of the others, both ways. */
    public static List<Link> between(Collection<Integer> side, Collection<Integer> ids) {
        List<Link> links = new ArrayList<>();
        for (int a : side) {
            for (int b : ids) {
                if (!side.contains(b)) {
                    links.add(new Link(a, b));
                    links.add(new Link(b, a));
                }
            }
        }
        return links;
    }

    @Override
    public void close() {
        proxies.values().forEach(LinkProxy::close);
    }
}
