package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.codec.Binary;

/**
 * A command of the session layer itself, carried in the log as the payload of a command whose client
 * id is in {@link ClientIds#isSessionLayer the session layer's range}; servers propose them, never
 * clients, and the state machine never sees them.
 *
 * <pre>
 * clock      (1): wallMillis long, sessionTimeoutMs long, keyTtlMs long, sessionsMax int, keysMax int
 * register   (2): nothing
 * keep-alive (3): sessionId long
 * </pre>
 */
public sealed interface SessionCommand permits SessionCommand.Clock, SessionCommand.Register, SessionCommand.KeepAlive {

    /** What kind it is, to switch over (Java 17 checks a switch expression over an enum for exhaustiveness). */
    enum Kind {
        CLOCK,
        REGISTER,
        KEEP_ALIVE
    }

    Kind kind();

    /** The payload of the log command that carries it. */
    byte[] encode();

    /**
     * The leader's wall-clock time and the limits of its configuration. Applying it moves log time to
     * {@code max(logTime, wallMillis)} and drops what that makes too old.
     */
    record Clock(long wallMillis, SessionLimits limits) implements SessionCommand {
        public Clock {
            if (limits == null) {
                throw new IllegalArgumentException("a clock command carries the limits");
            }
        }

        @Override
        public Kind kind() {
            return Kind.CLOCK;
        }

        @Override
        public byte[] encode() {
            return new Binary.Writer(33).putByte(CLOCK).putLong(wallMillis).putLong(limits.sessionTimeoutMs())
                    .putLong(limits.keyTtlMs()).putInt(limits.sessionsMax()).putInt(limits.keysMax()).finish();
        }
    }

    /** Opens a session; its id is the slot this command is applied at. */
    record Register() implements SessionCommand {
        @Override
        public Kind kind() {
            return Kind.REGISTER;
        }

        @Override
        public byte[] encode() {
            return new byte[] {REGISTER};
        }
    }

    /** Keeps an idle session alive. */
    record KeepAlive(long sessionId) implements SessionCommand {
        @Override
        public Kind kind() {
            return Kind.KEEP_ALIVE;
        }

        @Override
        public byte[] encode() {
            return new Binary.Writer(9).putByte(KEEP_ALIVE).putLong(sessionId).finish();
        }
    }

    byte CLOCK = 1;
    byte REGISTER = 2;
    byte KEEP_ALIVE = 3;

    /**
     * The session-layer command {@code command} carries. A malformed one is a bug of the server that
     * proposed it (clients cannot send these ids), so it throws rather than guess.
     */
    static SessionCommand decode(Command command) {
        Binary.Reader in = new Binary.Reader(command.payload(), "session-layer command " + command);
        int op = in.getByte();
        SessionCommand decoded = switch (op) {
            case CLOCK -> new Clock(in.getLong(), new SessionLimits(in.getLong(), in.getLong(), in.getInt(), in.getInt()));
            case REGISTER -> new Register();
            case KEEP_ALIVE -> new KeepAlive(in.getLong());
            default -> throw new IllegalStateException("session-layer command " + command + " has unknown op " + op);
        };
        in.expectEnd();
        return decoded;
    }
}
