package io.paxlog.lock;

import java.util.Objects;

/**
 * What a {@link LockCommand} did. Every outcome is a value, including refusals: applying a command never
 * throws, so every replica gives the same answer to the same command.
 */
public sealed interface LockResult {

    /**
     * The caller holds the lock with fencing token {@code token} for {@code ttlMs}; {@code renewed} when it
     * held it already (the token is then the one of its original grant).
     */
    record Granted(long token, long ttlMs, boolean renewed) implements LockResult {}

    /** Someone holds the lock: the caller's acquire or release did nothing, or a show's answer. */
    record Held(Lease lease) implements LockResult {
        public Held {
            Objects.requireNonNull(lease, "lease");
        }
    }

    /** Nobody holds the lock. */
    record Free() implements LockResult {}

    /** The holder released the grant with {@code token}. */
    record Released(long token) implements LockResult {}

    /** An expire freed the lock, which {@code holder} held with {@code token}. */
    record Expired(String holder, long token) implements LockResult {
        public Expired {
            Objects.requireNonNull(holder, "holder");
        }
    }

    /** The command was refused before it changed anything; {@code message} is for people. */
    record Rejected(Code code, String message) implements LockResult {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a command was refused. Each has a fixed wire value, independent of declaration order. */
    enum Code {
        /** The command's bytes are not a command of this format. */
        MALFORMED(1),
        /** An empty or too long name or owner, a ttl out of range, an impossible token. */
        INVALID_ARGUMENT(2),
        /** A new grant would hold more than {@link LockLimits#locksMax()} locks. */
        TOO_MANY_LOCKS(3);

        final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        static Code fromWire(int wire) {
            for (Code code : values()) {
                if (code.wire == wire) {
                    return code;
                }
            }
            throw new IllegalArgumentException("unknown lock refusal code " + wire);
        }
    }
}
