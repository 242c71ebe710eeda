package io.paxlog.client.core;

/**
 * What a server answered one attempt, in the core's terms (the shell translates the wire's answer).
 *
 * @param slot the slot the command was applied at, or the applied slot a query was read at
 *     ({@link Status#APPLIED}); else 0
 * @param result the state machine's answer ({@link Status#APPLIED}); else empty
 * @param leaderHint the server the answering one believes leads, 0 if it knows none
 * @param message the server's reason for anything but {@link Status#APPLIED}; may be empty
 */
public record ServerAnswer(Status status, long slot, byte[] result, int leaderHint, String message) {

    /** The same outcomes as the client protocol's. */
    public enum Status {
        /** Applied, now or by an earlier attempt of the same sequence. */
        APPLIED,
        /** This server does not lead; the hint, if any, names the one it believes does. */
        NOT_LEADER,
        /** No leader with a majority here; the command may have been logged by a leader that lost it. */
        NO_QUORUM,
        /** Refused before it reached the log; retry later. */
        BUSY,
        /** Will never apply (too large, a sequence the exactly-once window dropped, a query refused). */
        REJECTED,
        /** Something unexpected on the server (it was stopping, its handler failed). */
        ERROR,
        /**
         * This copy was not applied: its session is not open (expired or never opened). An earlier copy of
         * the same command may have been applied before the session expired.
         */
        SESSION_EXPIRED,
        /** Not applied: the idempotency key was applied before with another command. */
        KEY_REUSED
    }

    private static final byte[] EMPTY = new byte[0];

    public ServerAnswer {
        if (status == null || result == null || message == null) {
            throw new IllegalArgumentException("an answer needs a status, a result and a message (may be empty)");
        }
        if (slot < 0 || leaderHint < 0) {
            throw new IllegalArgumentException("slot and leader hint must be >= 0, were " + slot + " and " + leaderHint);
        }
    }

    public static ServerAnswer applied(long slot, byte[] result) {
        return new ServerAnswer(Status.APPLIED, slot, result, 0, "");
    }

    /** Any answer but {@link Status#APPLIED}. */
    public static ServerAnswer refused(Status status, int leaderHint, String message) {
        return new ServerAnswer(status, 0, EMPTY, leaderHint, message);
    }
}
