package io.paxlog.chaos.run;

import io.paxlog.chaos.net.Link;
import java.util.List;
import java.util.Locale;

/** A fault done to the cluster during a run, with when it began and ended on the history's clock. */
public sealed interface Fault {

    /** The server the fault was aimed at (the leader, or the deaf follower). */
    int server();

    long startNanos();

    long endNanos();

    Kind kind();

    /** What a kind of fault needs of the cluster's network. */
    enum Needs {
        /** Nothing: a signal to a process. */
        PROCESSES,
        /** The servers behind link proxies ({@link ServerCluster.Network#PROXIED}). */
        PROXIES,
        /** The servers in network namespaces (root). */
        NAMESPACES
    }

    /** The kinds a run can be asked for. */
    enum Kind {
        /** SIGKILL the leader, then start it again on the same data after a while. */
        KILL_LEADER(Needs.PROCESSES, "kill -9 of the leader"),
        /** SIGSTOP the leader for longer than the election timeout, then SIGCONT. */
        PAUSE_LEADER(Needs.PROCESSES, "SIGSTOP of the leader"),
        /**
         * Cut the leader off from the other servers (clients still reach it), then heal. Runs every
         * server in a network namespace of its own (root only).
         */
        PARTITION_LEADER(Needs.NAMESPACES, "leader partitioned (netns)"),
        /** Every link into one follower down: it sends, it hears nothing (the fault of issue 10). */
        DEAF_FOLLOWER(Needs.PROXIES, "deaf follower"),
        /** Every link into the leader down: it sends heartbeats, hears no answer. */
        DEAF_LEADER(Needs.PROXIES, "deaf leader"),
        /** Every link out of the leader down: it hears its peers, none hears it. */
        MUTE_LEADER(Needs.PROXIES, "mute leader"),
        /** Every link into and out of the leader down (clients still reach it). */
        ISOLATE_LEADER(Needs.PROXIES, "isolated leader"),
        /** The leader and one follower cut off, both ways, from the other three: a 2|3 split. */
        SPLIT_LEADER(Needs.PROXIES, "2|3 split (leader + 1 | 3)"),
        /** The links between the leader and one follower, both ways, down 1 s and up 1 s in turn. */
        FLAP_LEADER_LINK(Needs.PROXIES, "flapping leader<->follower link");

        private final Needs needs;
        private final String title;

        Kind(Needs needs, String title) {
            this.needs = needs;
            this.title = title;
        }

        public Needs needs() {
            return needs;
        }

        /** A short human name for tables. */
        public String title() {
            return title;
        }

        /** The name on the command line: {@code kill_leader}. */
        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Killed with SIGKILL at the start, restarted at the end. */
    record Killed(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public Kind kind() {
            return Kind.KILL_LEADER;
        }

        @Override
        public String toString() {
            return String.format("kill -9 of leader %d at %.1f s, restarted at %.1f s", server, startNanos / 1e9,
                    endNanos / 1e9);
        }
    }

    /** Cut off from the other servers at the start, links restored at the end. */
    record Partitioned(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public Kind kind() {
            return Kind.PARTITION_LEADER;
        }

        @Override
        public String toString() {
            return String.format("partition of leader %d from the others at %.1f s, healed at %.1f s", server,
                    startNanos / 1e9, endNanos / 1e9);
        }
    }

    /** Frozen with SIGSTOP at the start, SIGCONT at the end. */
    record Paused(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public Kind kind() {
            return Kind.PAUSE_LEADER;
        }

        @Override
        public String toString() {
            return String.format("SIGSTOP of leader %d at %.1f s, SIGCONT at %.1f s", server, startNanos / 1e9,
                    endNanos / 1e9);
        }
    }

    /**
     * Directed links down from the start to the end (deaf, mute, isolated, split).
     *
     * @param leader the leader when the fault began
     */
    record LinksDown(Kind kind, int server, int leader, List<Link> links, long startNanos, long endNanos)
            implements Fault {
        public LinksDown {
            links = List.copyOf(links);
            if (kind.needs() != Needs.PROXIES || kind == Kind.FLAP_LEADER_LINK) {
                throw new IllegalArgumentException(kind + " is not a fault of links held down");
            }
        }

        @Override
        public String toString() {
            return String.format("%s (server %d, leader %d; links %s down) at %.1f s, healed at %.1f s", kind.title(),
                    server, leader, links, startNanos / 1e9, endNanos / 1e9);
        }
    }

    /**
     * The links between {@code server} (the leader) and {@code other}, both ways, down and up in turn,
     * {@code periodMillis} each, starting down; up for good at the end.
     *
     * @param downPeriods how many times the links went down
     */
    record Flapped(int server, int other, long periodMillis, int downPeriods, long startNanos, long endNanos)
            implements Fault {
        @Override
        public Kind kind() {
            return Kind.FLAP_LEADER_LINK;
        }

        @Override
        public String toString() {
            return String.format("links %d<->%d flapping (%d ms down, %d ms up; %d times down) from %.1f s to %.1f s",
                    server, other, periodMillis, periodMillis, downPeriods, startNanos / 1e9, endNanos / 1e9);
        }
    }
}
