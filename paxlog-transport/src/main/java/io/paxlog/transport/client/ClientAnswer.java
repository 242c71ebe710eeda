package io.paxlog.transport.client;

import java.util.Arrays;

/**
 * A server's answer to the {@link ClientCall} with the same {@code callId}.
 *
 * @param slot the log slot the command was applied at ({@link Status#APPLIED}), else 0
 * @param result the state machine's result ({@link Status#APPLIED}), else empty
 * @param leaderHint the server this one believes leads, 0 if it knows none; a client retries there
 * @param message a human-readable reason for anything but {@link Status#APPLIED}, may be empty
 */
public record ClientAnswer(long callId, Status status, long slot, byte[] result, int leaderHint, String message) {

    /** The outcome of a call. The code is the byte on the wire: never reuse or renumber one. */
    public enum Status {
        /** The command was applied (now or by an earlier try of the same sequence). */
        APPLIED(1),
        /** This server does not lead; retry at {@code leaderHint} or another server. */
        NOT_LEADER(2),
        /** The leader cannot reach a majority; the command was not applied here and is not pending. */
        NO_QUORUM(3),
        /** Too much in flight; retry later. */
        BUSY(4),
        /** The command will never apply (e.g. too large, or a sequence the exactly-once window dropped). */
        REJECTED(5),
        /** Something unexpected went wrong on the server; the message says what. */
        ERROR(6),
        /**
         * This copy was not applied: its session is not open (expired, or never opened). An earlier copy
         * of the same command may have been; the client opens a new session for later commands.
         */
        SESSION_EXPIRED(7),
        /** Not applied: the idempotency key was applied before with another command. */
        KEY_REUSED(8);

        private final byte code;

        Status(int code) {
            this.code = (byte) code;
        }

        public byte code() {
            return code;
        }

        /** values() clones its array on every call; this runs once per frame. */
        private static final Status[] VALUES = values();

        /** The status with this code, or null if none has it. */
        public static Status fromCode(byte code) {
            for (Status status : VALUES) {
                if (status.code == code) {
                    return status;
                }
            }
            return null;
        }
    }

    private static final byte[] EMPTY = new byte[0];

    public ClientAnswer {
        if (status == null || result == null || message == null) {
            throw new IllegalArgumentException("answer needs a status, a result and a message (may be empty)");
        }
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0, was " + slot);
        }
        if (leaderHint < 0) {
            throw new IllegalArgumentException("leader hint must be >= 0, was " + leaderHint);
        }
    }

    public static ClientAnswer applied(long callId, long slot, byte[] result) {
        return new ClientAnswer(callId, Status.APPLIED, slot, result, 0, "");
    }

    /** An answer other than {@link Status#APPLIED}. */
    public static ClientAnswer refused(long callId, Status status, int leaderHint, String message) {
        return new ClientAnswer(callId, status, 0, EMPTY, leaderHint, message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientAnswer a
                && a.callId == callId
                && a.status == status
                && a.slot == slot
                && Arrays.equals(a.result, result)
                && a.leaderHint == leaderHint
                && a.message.equals(message);
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(callId) * 31 + status.hashCode()) * 31 + Long.hashCode(slot)) * 31
                + Arrays.hashCode(result) + leaderHint * 17 + message.hashCode();
    }

    @Override
    public String toString() {
        return "answer#" + callId + "(" + status + (status == Status.APPLIED ? " @" + slot : "")
                + (leaderHint != 0 ? ", leader=" + leaderHint : "") + (message.isEmpty() ? "" : ", " + message) + ")";
    }
}
