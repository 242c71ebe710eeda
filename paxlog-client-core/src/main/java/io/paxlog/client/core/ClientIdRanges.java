package io.paxlog.client.core;

/**
 * The client ids a client may send (docs/protocol.md#client-sessions), as the servers' {@code
 * io.paxlog.core.ClientIds} defines them: sessions below 2^61 (a session's id is the slot its register
 * was applied at), idempotency keys from 2^61 to 2^62, the servers' own from 2^62. Repeated here because
 * the client core depends on nothing; {@code ClientIdsAgreeTest} in paxlog-sim keeps the two equal.
 */
public final class ClientIdRanges {

    public static final long KEYED_MIN = 1L << 61;
    public static final long KEYED_END = 1L << 62;

    private ClientIdRanges() {}

    public static boolean isKeyed(long id) {
        return id >= KEYED_MIN && id < KEYED_END;
    }

    /** The keyed id of a 64-bit hash of a key's scope: 2^61 plus its low 61 bits. */
    public static long keyed(long hash) {
        return KEYED_MIN + (hash & (KEYED_MIN - 1));
    }
}
