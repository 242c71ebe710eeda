package io.paxlog.transport.client;

import java.util.Arrays;

/**
 * A client's call: a command for the replicated state machine, or a read-only query.
 *
 * <p>{@code callId} matches the answer to the call on one connection. For a {@link Kind#COMMAND},
 * {@code (clientId, sequence)} identify the command across retries, so a retried command applies once.
 * A {@link Kind#READ} changes nothing and is never logged, so it has no identity to keep across
 * retries: its client id and sequence are 0. The payload array is owned by the call: nobody mutates it
 * after construction.
 */
public record ClientCall(long callId, Kind kind, long clientId, long sequence, byte[] payload) {

    /** What the server does with the call. The code is the first byte of the call on the wire: never reuse one. */
    public enum Kind {
        /** A command for the replicated log, applied once per {@code (clientId, sequence)}. */
        COMMAND(1),
        /**
         * A read-only query, answered from the leader's state machine once read-index proved it current,
         * without writing to the log. Retrying one is always safe.
         */
        READ(2),
        /**
         * Open a session: a register command through the log, answered with the new session's id (in the
         * answer's slot, and as the 8-byte result). No client id, sequence or payload.
         */
        REGISTER(3),
        /** Keep the idle session {@code clientId} open: a keep-alive through the log. No sequence or payload. */
        KEEP_ALIVE(4);

        private final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        public byte code() {
            return code;
        }

        /** values() clones its array on every call; this runs once per frame. */
        private static final Kind[] VALUES = values();

        /** The kind with this code, or null if none has it. */
        public static Kind fromCode(byte code) {
            for (Kind kind : VALUES) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    public ClientCall {
        if (kind == null) {
            throw new IllegalArgumentException("call kind must not be null");
        }
        if (payload == null) {
            throw new IllegalArgumentException("call payload must not be null");
        }
        switch (kind) {
            // Same rules as io.paxlog.api.Command: client id 0 is the no-op's, sequences start at 1.
            case COMMAND -> {
                if (clientId < 1 || sequence < 1) {
                    throw new IllegalArgumentException(
                            "clientId and sequence must be >= 1, were " + clientId + " and " + sequence);
                }
            }
            case READ -> {
                if (clientId != 0 || sequence != 0) {
                    throw new IllegalArgumentException("a read has no clientId or sequence (both 0), had "
                            + clientId + " and " + sequence);
                }
            }
            case REGISTER -> {
                if (clientId != 0 || sequence != 0 || payload.length != 0) {
                    throw new IllegalArgumentException("a register has no clientId, sequence or payload");
                }
            }
            case KEEP_ALIVE -> {
                if (clientId < 1 || sequence != 0 || payload.length != 0) {
                    throw new IllegalArgumentException("a keep-alive names its session (>= 1), with no sequence or "
                            + "payload; had " + clientId + ", " + sequence + ", " + payload.length + " bytes");
                }
            }
        }
    }

    /** A command call. */
    public ClientCall(long callId, long clientId, long sequence, byte[] payload) {
        this(callId, Kind.COMMAND, clientId, sequence, payload);
    }

    /** A read-only query call. */
    public static ClientCall read(long callId, byte[] query) {
        return new ClientCall(callId, Kind.READ, 0, 0, query);
    }

    /** A register call: open a session. */
    public static ClientCall register(long callId) {
        return new ClientCall(callId, Kind.REGISTER, 0, 0, new byte[0]);
    }

    /** A keep-alive call of session {@code sessionId}. */
    public static ClientCall keepAlive(long callId, long sessionId) {
        return new ClientCall(callId, Kind.KEEP_ALIVE, sessionId, 0, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientCall c
                && c.callId == callId
                && c.kind == kind
                && c.clientId == clientId
                && c.sequence == sequence
                && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return (((Long.hashCode(callId) * 31 + kind.hashCode()) * 31 + Long.hashCode(clientId)) * 31
                + Long.hashCode(sequence)) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case READ -> "call#" + callId + "(read, " + payload.length + "B)";
            case COMMAND -> "call#" + callId + "(c" + clientId + "#" + sequence + ", " + payload.length + "B)";
            case REGISTER -> "call#" + callId + "(register)";
            case KEEP_ALIVE -> "call#" + callId + "(keep-alive c" + clientId + ")";
        };
    }
}
