package io.paxlog.lock;

import io.paxlog.api.codec.Binary;
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

    /**
     * Someone holds the lock: the caller's acquire or release did nothing, or a show's answer.
     *
     * @param remainingMs how long the leader will still let the lease run before it proposes to expire it,
     *     or {@link #REMAINING_UNKNOWN}. The state machine knows no time, so only a show answered as a read
     *     by a leader carries it (the server's expiry scheduler fills it in); a result of a logged command
     *     never does. It is a promise of the leader that answered, not of the lock: a release, a renewal
     *     or a leader change (which gives the holder a full ttl again) can change it.
     */
    record Held(Lease lease, long remainingMs) implements LockResult {

        public static final long REMAINING_UNKNOWN = -1;

        public Held {
            Objects.requireNonNull(lease, "lease");
            if (remainingMs < REMAINING_UNKNOWN || remainingMs > lease.ttlMs()) {
                throw new IllegalArgumentException("remaining ttl " + remainingMs + " ms is not in 0-" + lease.ttlMs()
                        + " (or -1, unknown)");
            }
        }

        /** Held, with no remaining ttl known: what the state machine answers. */
        public Held(Lease lease) {
            this(lease, REMAINING_UNKNOWN);
        }

        /** Whether {@link #remainingMs} is known. */
        public boolean knowsRemaining() {
            return remainingMs != REMAINING_UNKNOWN;
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
