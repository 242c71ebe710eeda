package io.paxlog.core.runtime;

import io.paxlog.core.SessionLimits;
import java.util.Objects;

/**
 * The session settings of a server (docs/protocol.md#client-sessions).
 *
 * @param limits          the bounds its clock commands carry when it leads; they take effect cluster-wide
 *                        at the slot of such a command, so a change reaches every server without
 *                        restarting them all at once
 * @param clockIntervalMs how often a leader proposes a clock command
 */
public record SessionConfig(SessionLimits limits, long clockIntervalMs) {

    public static final long CLOCK_INTERVAL_MS_DEFAULT = 1_000;
    public static final SessionConfig DEFAULT = new SessionConfig(SessionLimits.DEFAULT, CLOCK_INTERVAL_MS_DEFAULT);

    public SessionConfig {
        Objects.requireNonNull(limits, "limits");
        if (clockIntervalMs < 1) {
            throw new IllegalArgumentException("clock interval must be positive, was " + clockIntervalMs + " ms");
        }
        // A session is kept alive by commands applied in log time; with clocks rarer than a third of the
        // timeout, log time would jump past live sessions' keep-alives.
        if (clockIntervalMs * 3 > limits.sessionTimeoutMs()) {
            throw new IllegalArgumentException("the clock interval (" + clockIntervalMs + " ms) must be at most a "
                    + "third of the session timeout (" + limits.sessionTimeoutMs() + " ms)");
        }
    }
}
