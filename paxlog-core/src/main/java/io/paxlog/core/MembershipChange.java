package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.codec.Binary;

/**
 * A change of the membership, as an operator asks for it: conditional on the version the operator
 * saw (compare-and-set), so that of two operators racing from the same version one wins and the
 * other is refused. It travels as a command in the log (docs/membership.md), chosen like any other,
 * and is applied by the core, never by the service's state machine.
 */
public sealed interface MembershipChange {

    /** The internal client id of every change command: 2^62, below every leader-duty client id. */
    long CLIENT_ID = 1L << 62;

    int PAYLOAD_MAGIC = 0x4D454D42; // "MEMB"

    long expectedVersion();

    int server();

    /** What the change does: a switch over it is exhaustive (Java 17 has no pattern switch). */
    Kind kind();

    enum Kind {
        ADD_LEARNER(1),
        PROMOTE(2),
        REMOVE(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    /** A new server joins as a learner: it gets the log, and counts for no quorum. */
    record AddLearner(int server, long expectedVersion) implements MembershipChange {
        @Override
        public Kind kind() {
            return Kind.ADD_LEARNER;
        }
    }

    /** A learner becomes a voter; the leader refuses it unless the learner is close to the chosen prefix. */
    record Promote(int server, long expectedVersion) implements MembershipChange {
        @Override
        public Kind kind() {
            return Kind.PROMOTE;
        }
    }

    /** A voter or learner leaves. */
    record Remove(int server, long expectedVersion) implements MembershipChange {
        @Override
        public Kind kind() {
            return Kind.REMOVE;
        }
    }

    /**
     * What applying a change at its slot did: {@code membership} is the new one when applied, the
     * unchanged one when refused, with the reason.
     */
    record Result(boolean applied, Membership membership, String reason) {

        static Result applied(Membership membership) {
            return new Result(true, membership, "");
        }

        static Result refused(Membership unchanged, String reason) {
            return new Result(false, unchanged, reason);
        }

        /** The result as the operator's answer carries it. */
        public byte[] encode() {
            Binary.Writer out = new Binary.Writer();
            out.putByte(applied ? 1 : 0);
            membership.writeTo(out);
            out.putString(reason);
            return out.finish();
        }

        public static Result decode(byte[] bytes) {
            Binary.Reader in = new Binary.Reader(bytes, "membership change result");
            boolean applied = in.getByte() == 1;
            Membership membership = Membership.readFrom(in);
            String reason = in.getString();
            in.expectEnd();
            return new Result(applied, membership, reason);
        }
    }

    /**
     * The command that carries this change. Its sequence is the version it would create, so two
     * changes from one version are two different commands of one sequence; exactly-once does not
     * see them (the core applies changes), the version check makes a retry harmless.
     */
    default Command toCommand() {
        Binary.Writer out = new Binary.Writer();
        out.putInt(PAYLOAD_MAGIC).putByte(kind().code).putInt(server()).putLong(expectedVersion());
        return new Command(CLIENT_ID, expectedVersion() + 1, out.finish());
    }

    static boolean isChange(Command command) {
        return command.clientId() == CLIENT_ID;
    }

    /** The change a change command carries; a malformed one is a bug of whoever proposed it. */
    static MembershipChange of(Command command) {
        if (!isChange(command)) {
            throw new IllegalArgumentException(command + " is not a membership change");
        }
        Binary.Reader in = new Binary.Reader(command.payload(), "membership change");
        if (in.getInt() != PAYLOAD_MAGIC) {
            throw new IllegalArgumentException("membership change with a bad magic: " + command);
        }
        int kind = in.getByte();
        int server = in.getInt();
        long expected = in.getLong();
        in.expectEnd();
        return switch (kind) {
            case 1 -> new AddLearner(server, expected);
            case 2 -> new Promote(server, expected);
            case 3 -> new Remove(server, expected);
            default -> throw new IllegalArgumentException("unknown membership change kind " + kind);
        };
    }
}
