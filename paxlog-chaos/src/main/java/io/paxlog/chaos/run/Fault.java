package io.paxlog.chaos.run;

/** A fault done to the cluster during a run, with when it began and ended on the history's clock. */
public sealed interface Fault {

    int server();

    long startNanos();

    long endNanos();

    /** The kinds a run can be asked for. */
    enum Kind {
        /** SIGKILL the leader, then start it again on the same data after a while. */
        KILL_LEADER,
        /** SIGSTOP the leader for longer than the election timeout, then SIGCONT. */
        PAUSE_LEADER,
        /**
         * Cut the leader off from the other servers (clients still reach it), then heal. Runs every
         * server in a network namespace of its own (root only).
         */
        PARTITION_LEADER
    }

    /** Killed with SIGKILL at the start, restarted at the end. */
    record Killed(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public String toString() {
            return String.format("kill -9 of leader %d at %.1f s, restarted at %.1f s", server, startNanos / 1e9,
                    endNanos / 1e9);
        }
    }

    /** Cut off from the other servers at the start, links restored at the end. */
    record Partitioned(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public String toString() {
            return String.format("partition of leader %d from the others at %.1f s, healed at %.1f s", server,
                    startNanos / 1e9, endNanos / 1e9);
        }
    }

    /** Frozen with SIGSTOP at the start, SIGCONT at the end. */
    record Paused(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public String toString() {
            return String.format("SIGSTOP of leader %d at %.1f s, SIGCONT at %.1f s", server, startNanos / 1e9,
                    endNanos / 1e9);
        }
    }
}
