package io.paxlog.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of the exactly-once table (docs/protocol.md#client-sessions). They decide results (a
 * register refused, a session dropped), so the table never takes them from a server's own
 * configuration: they travel in the leader's clock commands and take effect at the slot of one, the
 * same on every server. Before the first clock command of a log, {@link #DEFAULT} holds.
 *
 * @param sessionTimeoutMs a session silent (nothing of it applied) for longer than this, in log time, is dropped
 * @param keyTtlMs         an idempotency key's entry is dropped this long, in log time, after it was applied
 * @param sessionsMax      live sessions at most; a register beyond is refused
 * @param keysMax          keyed entries at most; a new key beyond is refused
 */
public record SessionLimits(long sessionTimeoutMs, long keyTtlMs, int sessionsMax, int keysMax) {

    public static final long SESSION_TIMEOUT_MS_DEFAULT = 60_000;
    /** 24 h, as Stripe keeps its keys. */
    public static final long KEY_TTL_MS_DEFAULT = 24L * 60 * 60 * 1000;
    public static final int SESSIONS_MAX_DEFAULT = 100_000;
    public static final int KEYS_MAX_DEFAULT = 1_000_000;

    public static final SessionLimits DEFAULT = new SessionLimits(SESSION_TIMEOUT_MS_DEFAULT, KEY_TTL_MS_DEFAULT,
            SESSIONS_MAX_DEFAULT, KEYS_MAX_DEFAULT);

    public SessionLimits {
        List<String> problems = new ArrayList<>();
        if (sessionTimeoutMs < 1 || keyTtlMs < 1) {
            problems.add("sessionTimeout and keyTtl must be positive, were " + sessionTimeoutMs + " and " + keyTtlMs
                    + " ms");
        }
        if (sessionsMax < 1 || keysMax < 1) {
            problems.add("sessionsMax and keysMax must be positive, were " + sessionsMax + " and " + keysMax);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid session limits: " + String.join("; ", problems));
        }
    }
}
