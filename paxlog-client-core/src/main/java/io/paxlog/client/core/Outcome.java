package io.paxlog.client.core;

/**
 * How a request ended, typed by what its caller may assume. Plain values, so the simulator can check
 * the label against what its cluster really did, and the Netty shell maps each onto the public
 * exception classes. {@link #kind()} is there to switch over (Java 17 checks a switch expression over
 * an enum for exhaustiveness).
 *
 * <p>Every {@link #message()} is whole: it names the request and says what happened and what that
 * means.
 */
public sealed interface Outcome permits Outcome.Applied, Outcome.NotApplied, Outcome.Rejected, Outcome.Unknown {

    enum Kind {
        APPLIED,
        NOT_APPLIED,
        REJECTED,
        UNKNOWN
    }

    Kind kind();

    /** True unless the request is known not to have been applied (and never to be). */
    default boolean mayHaveBeenApplied() {
        return switch (kind()) {
            case APPLIED, UNKNOWN -> true;
            case NOT_APPLIED, REJECTED -> false;
        };
    }

    String message();

    /**
     * Applied at {@code slot} with the state machine's {@code result} (for a query: read at applied
     * slot {@code slot}). The array is handed over, not copied.
     */
    record Applied(long slot, byte[] result) implements Outcome {

        public Applied {
            if (result == null || slot < 0) {
                throw new IllegalArgumentException("an applied outcome needs a slot >= 0 and a result");
            }
        }

        @Override
        public Kind kind() {
            return Kind.APPLIED;
        }

        @Override
        public String message() {
            return "applied at slot " + slot;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Applied a && a.slot == slot && java.util.Arrays.equals(a.result, result);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(slot) * 31 + java.util.Arrays.hashCode(result);
        }

        @Override
        public String toString() {
            return "Applied(@" + slot + ", " + result.length + "B)";
        }
    }

    /** Not applied and never will be: submitting it again is safe. */
    record NotApplied(Reason reason, String message) implements Outcome {

        public enum Reason {
            /** The client was closed before any attempt of it may have reached a server. */
            CLOSED,
            /** No room: the window was full and {@code maxWaiting} requests already waited. */
            NO_ROOM,
            /** Its request timeout ran out while it waited for room in the window; never sent. */
            WAITED_FOR_ROOM,
            /** No server took it: unreachable or BUSY until the client gave up. */
            UNAVAILABLE,
            /** A query got no answer within the request timeout; a read applies nothing. */
            QUERY_TIMED_OUT,
            /**
             * Its session expired, and no attempt of it before the one answered so may have reached a server
             * (docs/protocol.md#client-sessions). The client opens a new session for later commands.
             */
            SESSION_EXPIRED,
            /** Never sent: no session could be opened within its request timeout. */
            NO_SESSION
        }

        public NotApplied {
            if (reason == null || message == null) {
                throw new IllegalArgumentException("a not-applied outcome needs a reason and a message");
            }
        }

        @Override
        public Kind kind() {
            return Kind.NOT_APPLIED;
        }
    }

    /**
     * The cluster refused it for good ({@code REJECTED} on an attempt before any other may have reached
     * a server): not applied, and the same request would be refused again.
     */
    record Rejected(Reason reason, int server, String serverMessage, String message) implements Outcome {

        public enum Reason {
            /** The command itself is refused (too large, malformed, a query the machine does not answer). */
            REFUSED,
            /** Its idempotency key was applied before with another command. */
            KEY_REUSED
        }

        public Rejected {
            if (reason == null || serverMessage == null || message == null) {
                throw new IllegalArgumentException("a rejected outcome needs a reason, the server's message and a message");
            }
        }

        /** Refused for what it is ({@link Reason#REFUSED}). */
        public Rejected(int server, String serverMessage, String message) {
            this(Reason.REFUSED, server, serverMessage, message);
        }

        @Override
        public Kind kind() {
            return Kind.REJECTED;
        }
    }

    /**
     * It may or may not have been applied, and a copy in some server's log may still be applied later,
     * once. {@code server} and {@code serverMessage} are set for {@link Reason#SERVER_ERROR} only (0, "").
     */
    record Unknown(Reason reason, int server, String serverMessage, String message) implements Outcome {

        public enum Reason {
            /** The request timeout ran out after an attempt may have reached a server. */
            TIMED_OUT,
            /** For the no-leader timeout no server led, after an attempt reached one that may have logged it. */
            NO_LEADER,
            /** A server answered ERROR: it may have applied the command first. */
            SERVER_ERROR,
            /** A retry was refused (too old for the exactly-once window) after an earlier attempt reached a server. */
            RETRY_REJECTED,
            /** The client was closed while an attempt may have reached a server. */
            CLOSED,
            /**
             * Its session expired after an attempt of it may have reached a server: that copy may have been
             * applied before the expiry, and no server can tell any more.
             */
            SESSION_EXPIRED
        }

        public Unknown {
            if (reason == null || serverMessage == null || message == null) {
                throw new IllegalArgumentException("an unknown outcome needs a reason, a server message and a message");
            }
            if ((reason == Reason.SERVER_ERROR) != (server != 0)) {
                throw new IllegalArgumentException("only a server error names a server: " + reason + ", " + server);
            }
        }

        /** An unknown outcome not caused by one server's answer. */
        public Unknown(Reason reason, String message) {
            this(reason, 0, "", message);
        }

        @Override
        public Kind kind() {
            return Kind.UNKNOWN;
        }
    }
}
