package io.paxlog.core;

/**
 * How a command's client id says what kind of command it is (docs/protocol.md#client-sessions). The
 * ranges never overlap, so the exactly-once layer tells them apart by the id alone, on every server
 * alike, and no payload of an application is ever read as one of the layer's own:
 *
 * <pre>
 * [1, 2^61)            sessions: the id is the slot the session's register command was applied at
 * [2^61, 2^62)         idempotency keys: 2^61 + 61 bits of a hash of the key's scope, sequence 1 only
 * [2^62, 2^62 + 2^61)  leader duties: 2^62 + round * 2^16 + serverId (Node.dutyClientId)
 * [2^62 + 2^61, 2^63)  the session layer's own commands (register, keep-alive, clock), proposed by servers
 * </pre>
 *
 * <p>The client core (paxlog-client-core, which depends on nothing) repeats the first two bounds;
 * {@code ClientIdsTest} there and here keep them equal.
 */
public final class ClientIds {

    /** Keyed entries start here: 2^61. */
    public static final long KEYED_MIN = 1L << 61;
    /** Ids from here up are the servers' own: 2^62. */
    public static final long INTERNAL_MIN = 1L << 62;
    /** The session layer's own commands start here: 2^62 + 2^61. */
    public static final long SESSION_LAYER_MIN = INTERNAL_MIN + (1L << 61);

    private ClientIds() {}

    public static boolean isSession(long clientId) {
        return clientId >= 1 && clientId < KEYED_MIN;
    }

    public static boolean isKeyed(long clientId) {
        return clientId >= KEYED_MIN && clientId < INTERNAL_MIN;
    }

    /** A leader duty's client: commands that reach the state machine without a session. */
    public static boolean isDuty(long clientId) {
        return clientId >= INTERNAL_MIN && clientId < SESSION_LAYER_MIN;
    }

    public static boolean isSessionLayer(long clientId) {
        return clientId >= SESSION_LAYER_MIN;
    }

    /** The session layer's client id of server {@code serverId}: its register, keep-alive and clock commands. */
    public static long sessionLayer(int serverId) {
        if (serverId < 1 || serverId >= 1 << 16) {
            throw new IllegalArgumentException("server id " + serverId + " does not fit a session-layer client id");
        }
        return SESSION_LAYER_MIN + serverId;
    }
}
