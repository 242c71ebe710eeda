package io.paxlog.client.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings {@link ClientCore} follows, in the core's own terms: times in nanoseconds of whatever
 * clock the owner passes in, servers as ids with a name for the messages. Checked at construction.
 *
 * @param clientId the id every command carries, >= 1 and below 2^62 (ids from there up are the servers')
 * @param servers server id to the name messages use for it (e.g. {@code 2=127.0.0.1:7082}), in the
 *     order servers are tried while no leader is known
 * @param timing the timeouts and backoffs
 * @param maxOutstanding the span of sequences in flight; at most the servers' exactly-once window
 * @param maxWaiting commands that may wait for room (and queries in flight) before submits fail fast
 */
public record ClientCoreConfig(long clientId, Map<Integer, String> servers, Timing timing, int maxOutstanding,
        int maxWaiting) {

    /**
     * When the core waits, retries and gives up; nanoseconds.
     *
     * @param requestTimeoutNanos how long a request may take from submit to its outcome, waiting included
     * @param noLeaderTimeoutNanos give up early once, for this long, every server was tried and none led
     * @param firstLeaderWaitNanos until the client has seen a leader, the no-leader wait lasts at least
     *     this long when some server answered: servers that are up and know no leader before this client
     *     ever saw one are most likely holding their first election, which takes longer than a
     *     no-leader timeout sized for a failover (issues 10 and 11). 0 turns it off.
     * @param attemptTimeoutNanos how long one attempt may wait for its server's answer before the core
     *     stops waiting on that server and resubmits, with the same {@code (clientId, sequence)}, to the
     *     next one (a paused or partitioned server answers nothing and may not drop the connection);
     *     from then on the outcome is unknown unless an answer settles it. 0: wait for the request timeout.
     * @param retryBackoffMinNanos the first backoff; it doubles up to {@code retryBackoffMaxNanos}
     */
    public record Timing(long requestTimeoutNanos, long noLeaderTimeoutNanos, long firstLeaderWaitNanos,
            long attemptTimeoutNanos, long retryBackoffMinNanos, long retryBackoffMaxNanos) {

        public Timing {
            List<String> problems = new ArrayList<>();
            if (requestTimeoutNanos <= 0 || noLeaderTimeoutNanos <= 0 || retryBackoffMinNanos <= 0) {
                problems.add("requestTimeout, noLeaderTimeout and retryBackoffMin must be positive");
            }
            if (firstLeaderWaitNanos < 0 || attemptTimeoutNanos < 0) {
                problems.add("firstLeaderWait and attemptTimeout must be >= 0, were " + firstLeaderWaitNanos + " and "
                        + attemptTimeoutNanos);
            }
            if (retryBackoffMaxNanos < retryBackoffMinNanos) {
                problems.add("retryBackoffMax must be >= retryBackoffMin");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid client timing: " + String.join("; ", problems));
            }
        }
    }

    public ClientCoreConfig {
        List<String> problems = new ArrayList<>();
        if (clientId < 1 || clientId >= 1L << 62) {
            problems.add("clientId must be in [1, 2^62), was " + clientId);
        }
        if (servers == null || servers.isEmpty()) {
            problems.add("at least one server is needed");
        } else {
            for (Map.Entry<Integer, String> server : servers.entrySet()) {
                if (server.getKey() == null || server.getKey() < 1 || server.getValue() == null) {
                    problems.add("server ids must be >= 1 and named, was " + server);
                }
            }
        }
        if (timing == null) {
            problems.add("timing is required");
        }
        if (maxOutstanding < 1) {
            problems.add("maxOutstanding must be >= 1, was " + maxOutstanding);
        }
        if (maxWaiting < 0) {
            problems.add("maxWaiting must be >= 0, was " + maxWaiting);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid client core configuration: " + String.join("; ", problems));
        }
        servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    }

    long requestTimeoutNanos() {
        return timing.requestTimeoutNanos();
    }

    long noLeaderTimeoutNanos() {
        return timing.noLeaderTimeoutNanos();
    }

    long firstLeaderWaitNanos() {
        return timing.firstLeaderWaitNanos();
    }

    long attemptTimeoutNanos() {
        return timing.attemptTimeoutNanos();
    }

    long retryBackoffMinNanos() {
        return timing.retryBackoffMinNanos();
    }

    long retryBackoffMaxNanos() {
        return timing.retryBackoffMaxNanos();
    }

    /** How messages name a server. */
    String describe(int server) {
        return servers.get(server);
    }
}
