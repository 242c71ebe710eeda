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
        PAUSE_LEADER
    }

    /** Killed with SIGKILL at the start, restarted at the end. */
    record Killed(int server, long startNanos, long endNanos) implements Fault {
        @Override
        public String toString() {
            return String.format("kill -9 of leader %d at %.1f s, restarted at %.1f s", server, startNanos / 1e9,
                    endNanos / 1e9);
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
