package io.paxlog.chaos.run;

import io.paxlog.chaos.net.Link;
import io.paxlog.chaos.net.ProxiedLinks;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Does one fault of a given kind to a running cluster and undoes it: {@link #begin} returns a
 * {@link Held} fault whose {@link Held#heal} restores everything and returns the {@link Fault} record
 * with its start and end on the history's clock. Used by the {@link Nemesis} (faults in turn during a
 * linearizability run) and by the availability run (one fault held per fresh cluster).
 *
 * <p>Threads: {@code begin} and {@code heal} are called by one thread (the nemesis's or the run's); a
 * flapping link toggles on a thread of its own, which {@code heal} stops and joins before it returns.
 */
public final class FaultDriver {

    /** How long a flapping link stays down, then up, in turn. */
    public static final Duration FLAP_PERIOD = Duration.ofSeconds(1);

    private FaultDriver() {}

    /** A fault in force. */
    public interface Held {
        /** The server the fault is aimed at. */
        int server();

        /**
         * The server whose own ports cannot answer while the fault holds, by the fault's nature (a
         * killed or frozen process); empty when every server still runs and listens.
         */
        Optional<Integer> silenced();

        /** Restores what the fault took away; returns the fault done. */
        Fault heal() throws IOException, InterruptedException;
    }

    /**
     * Starts a fault of {@code kind} aimed at {@code leader} (and, for a deaf follower, a split or a
     * flapping link, at the lowest-numbered other server as the follower).
     */
    public static Held begin(Fault.Kind kind, ServerCluster cluster, int leader, Recorder<?, ?> clock)
            throws IOException, InterruptedException {
        List<Integer> ids = cluster.ids();
        int follower = follower(ids, leader);
        long start = clock.now();
        return switch (kind) {
            case KILL_LEADER -> {
                cluster.kill9(leader);
                yield held(leader, Optional.of(leader), () -> {
                    cluster.start(leader);
                    return new Fault.Killed(leader, start, clock.now());
                });
            }
            case PAUSE_LEADER -> {
                cluster.pause(leader);
                yield held(leader, Optional.of(leader), () -> {
                    cluster.resume(leader);
                    return new Fault.Paused(leader, start, clock.now());
                });
            }
            case PARTITION_LEADER -> {
                cluster.isolate(leader);
                yield held(leader, Optional.empty(), () -> {
                    cluster.heal(leader);
                    return new Fault.Partitioned(leader, start, clock.now());
                });
            }
            case DEAF_FOLLOWER -> linksDown(kind, cluster, follower, leader, ProxiedLinks.into(follower, ids), clock);
            case DEAF_LEADER -> linksDown(kind, cluster, leader, leader, ProxiedLinks.into(leader, ids), clock);
            case MUTE_LEADER -> linksDown(kind, cluster, leader, leader, ProxiedLinks.outOf(leader, ids), clock);
            case ISOLATE_LEADER -> linksDown(kind, cluster, leader, leader, ProxiedLinks.between(List.of(leader), ids),
                    clock);
            case SPLIT_LEADER -> linksDown(kind, cluster, leader, leader,
                    ProxiedLinks.between(List.of(leader, follower), ids), clock);
            case FLAP_LEADER_LINK -> flap(cluster, leader, follower, clock);
        };
    }

    /** The follower a fault that needs one is aimed at: the lowest-numbered server but the leader. */
    public static int follower(List<Integer> ids, int leader) {
        return ids.stream().filter(id -> id != leader).sorted().findFirst().orElseThrow();
    }

    private interface Healer {
        Fault heal() throws IOException, InterruptedException;
    }

    private static Held held(int server, Optional<Integer> silenced, Healer healer) {
        return new Held() {
            @Override
            public int server() {
                return server;
            }

            @Override
            public Optional<Integer> silenced() {
                return silenced;
            }

            @Override
            public Fault heal() throws IOException, InterruptedException {
                return healer.heal();
            }
        };
    }

    private static Held linksDown(Fault.Kind kind, ServerCluster cluster, int server, int leader, List<Link> links,
            Recorder<?, ?> clock) {
        ProxiedLinks proxies = cluster.links();
        long start = clock.now();
        proxies.down(links);
        return held(server, Optional.empty(), () -> {
            proxies.up(links);
            return new Fault.LinksDown(kind, server, leader, links, start, clock.now());
        });
    }

    /** Toggles leader<->follower both ways every {@link #FLAP_PERIOD}, down first, on a thread of its own. */
    private static Held flap(ServerCluster cluster, int leader, int follower, Recorder<?, ?> clock) {
        ProxiedLinks proxies = cluster.links();
        List<Link> links = List.of(new Link(leader, follower), new Link(follower, leader));
        CountDownLatch stop = new CountDownLatch(1);
        int[] downs = {0};
        List<RuntimeException> failures = new ArrayList<>();
        long start = clock.now();
        Thread flapper = new Thread(() -> {
            try {
                boolean down = true;
                while (true) {
                    if (down) {
                        proxies.down(links);
                        downs[0]++;
                    } else {
                        proxies.up(links);
                    }
                    down = !down;
                    // The period is the fault's shape itself, not a wait for a condition.
                    if (stop.await(FLAP_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        }, "pxc-flapper");
        flapper.start();
        return held(leader, Optional.empty(), () -> {
            stop.countDown();
            flapper.join(Duration.ofSeconds(10).toMillis());
            if (flapper.isAlive()) {
                throw new IllegalStateException("the flapping link did not stop within 10 s");
            }
            proxies.up(links); // joined: no toggle can follow this one
            synchronized (failures) {
                if (!failures.isEmpty()) {
                    throw new IllegalStateException("a flapping link could not change state", failures.get(0));
                }
            }
            return new Fault.Flapped(leader, follower, FLAP_PERIOD.toMillis(), downs[0], start, clock.now());
        });
    }
}
