package io.paxlog.lock;

import java.util.Objects;

/**
 * What a granted acquire amounts to <em>now</em>: whether the tenure it granted is still the lock's, judged
 * from the grant (the acquire's result, saved by the exactly-once layer and answered again to every retry
 * of the same command) and the lock's current state (a show, read after the grant was answered).
 *
 * <p>Why it is needed: the exactly-once layer answers a retried command (an HTTP {@code Idempotency-Key}
 * replay, a client's retry with the same sequence) with the result saved when it was applied. For an
 * acquire that result is a grant, true when it was made; by the time the retry arrives the lease may
 * have expired or been released, and another owner may hold the lock. Answering the saved grant as if it
 * were fresh would tell two clients they hold the lock (issue 11). So the grant is judged against the
 * state read after it: same token, the same tenure (a token is the slot of its grant, so it names one
 * holder's unbroken tenure; a renewal keeps it, a release or an expire ends it, and a new grant gets a new
 * slot); any other state, the tenure ended.
 *
 * <p>Pure and deterministic: the same grant and state give the same standing, on any server.
 */
public sealed interface LeaseStanding {

    /**
     * The tenure the acquire granted still holds the lock.
     *
     * @param grant the acquire's result
     * @param lease the lease as read now (its ttl and renewed slot may be newer than the grant's: the
     *     holder renewed since)
     * @param remainingMs how long the leader that answered the read will still let the lease run, counted
     *     from when it answered; {@link LockResult.Held#REMAINING_UNKNOWN} if that read did not carry it
     */
    record Held(LockResult.Granted grant, Lease lease, long remainingMs) implements LeaseStanding {
        public Held {
            Objects.requireNonNull(grant, "grant");
            Objects.requireNonNull(lease, "lease");
            if (lease.token() != grant.token()) {
                throw new IllegalArgumentException("a held standing needs the grant's token " + grant.token()
                        + ", the lease has " + lease.token());
            }
        }

        public boolean knowsRemaining() {
            return remainingMs != LockResult.Held.REMAINING_UNKNOWN;
        }
    }

    /**
     * The tenure the acquire granted has ended (expired or released) since it was granted.
     *
     * @param grant the acquire's result: its token is the lost one
     * @param current who holds the lock now (another owner, or the same owner under a newer grant), or null
     *     when nobody does
     */
    record Lost(LockResult.Granted grant, Lease current) implements LeaseStanding {
        public Lost {
            Objects.requireNonNull(grant, "grant");
            if (current != null && current.token() == grant.token()) {
                throw new IllegalArgumentException("a lease with the grant's token " + grant.token() + " is not lost");
            }
        }
    }

    /**
     * The standing of {@code grant} given {@code now}, the result of a show of the same lock read after the
     * grant was answered.
     *
     * @param owner the owner the acquire asked for: a lease with the grant's token must be that owner's
     *     (checked always: a mismatch means the show was of another lock, or the state is corrupt)
     * @throws IllegalArgumentException when {@code now} is not a show's answer ({@link LockResult.Held} or
     *     {@link LockResult.Free}), or names another owner under the grant's token
     */
    static LeaseStanding of(LockResult.Granted grant, String owner, LockResult now) {
        Objects.requireNonNull(grant, "grant");
        Objects.requireNonNull(owner, "owner");
        if (now instanceof LockResult.Free) {
            return new Lost(grant, null);
        }
        if (!(now instanceof LockResult.Held held)) {
            throw new IllegalArgumentException("the lock's state must be read as held or free, not " + now);
        }
        Lease lease = held.lease();
        if (lease.token() != grant.token()) {
            return new Lost(grant, lease);
        }
        if (!lease.holder().equals(owner)) {
            throw new IllegalArgumentException("token " + grant.token() + " was granted to " + owner
                    + " but the lock reads as held by " + lease.holder() + " under it");
        }
        return new Held(grant, lease, held.remainingMs());
    }
}
