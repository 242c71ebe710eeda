package io.paxlog.lock;

import java.util.Objects;

/**
 * A command to the lock service, as a client (or, for {@link Expire}, the leader) builds it;
 * {@link LockCommands} turns it into the bytes of a log entry and back.
 *
 * <p>Owners are plain strings: two clients that use the same owner are the same holder to the service.
 */
public sealed interface LockCommand {

    /**
     * Grants {@code name} to {@code owner} for {@code ttlMs}: {@link LockResult.Granted} with a new token,
     * or, if {@code owner} already holds it, a renewal ({@link LockResult.Granted} with the same token and
     * the new ttl), or {@link LockResult.Held} saying who holds it.
     */
    record Acquire(String name, String owner, long ttlMs) implements LockCommand {
        public Acquire {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** Frees {@code name} if {@code owner} holds it: {@link LockResult.Released}, else {@link LockResult.Held} or {@link LockResult.Free}. */
    record Release(String name, String owner) implements LockCommand {
        public Release {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * Proposed by the leader when, by its own clock, the lease it saw renewed at {@code renewedSlot} ran
     * out: frees {@code name} only if the lock is still that grant ({@code token}) and has not been renewed
     * since ({@code renewedSlot}), giving {@link LockResult.Expired}; otherwise it changes nothing and gives
     * {@link LockResult.Held} or {@link LockResult.Free}. So an expire that was decided before a renewal or
     * a new grant got into the log never takes the lock from its holder.
     */
    record Expire(String name, long token, long renewedSlot) implements LockCommand {
        public Expire {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Who holds {@code name}, through the log: {@link LockResult.Held} or {@link LockResult.Free}. */
    record Show(String name) implements LockCommand {
        public Show {
            Objects.requireNonNull(name, "name");
        }
    }
}
