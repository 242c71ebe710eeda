package io.paxlog.core.runtime;

import io.paxlog.api.Epoch;
import io.paxlog.core.SessionCommand;
import java.util.Objects;

/**
 * The leader duty behind log time (docs/protocol.md#client-sessions): while this server leads, it
 * proposes a clock command carrying its wall-clock time and its configured {@link SessionLimits} at the
 * start of its term and then every {@code intervalMs} of its monotonic clock. Applying those commands,
 * not this class, decides expiry; this only says when to propose and what.
 *
 * <p>A node never told the wall time (a test driving {@link Node#tick(long)}) proposes none, and its log
 * runs by the rules of before sessions.
 *
 * <p>Thread: the node's.
 */
final class SessionClock {

    private final SessionConfig config;
    private Epoch term;
    private long lastProposedAt;

    SessionClock(SessionConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The clock command to propose now, or null. {@code leading} as for {@code LeaderDuties#tick};
     * {@code now} the monotonic time, {@code wallMillis} the wall clock's (0: not known).
     */
    SessionCommand.Clock due(Epoch leading, long now, long wallMillis) {
        if (leading == null || wallMillis <= 0) {
            term = null;
            return null;
        }
        if (leading.equals(term) && now - lastProposedAt < config.clockIntervalMs()) {
            return null;
        }
        term = leading;
        lastProposedAt = now;
        return new SessionCommand.Clock(wallMillis, config.limits());
    }
}
