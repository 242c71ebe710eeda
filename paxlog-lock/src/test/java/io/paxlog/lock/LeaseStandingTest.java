package io.paxlog.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Epoch;
import org.junit.jupiter.api.Test;

/**
 * A grant replayed later (issue 11 item 3) is judged against the lock as it is then: the real machine
 * applies the commands, the real expiry scheduler answers the show as a leader would, and the standing
 * says whether the replayed grant's tenure still holds the lock.
 */
class LeaseStandingTest {

    private static final Epoch TERM = new Epoch(2, 1);

    private final LockMachine locks = new LockMachine();
    private final LockExpiry expiry = new LockExpiry(locks, 500);
    private long slot;

    private LockResult apply(byte[] command) {
        return LockCommands.decodeResult(locks.apply(++slot, command));
    }

    /** A show as the leader answers it at {@code nowMs}: read-only, with its remaining ttl. */
    private LockResult show(String name, long nowMs) {
        byte[] query = LockCommands.show(name);
        return LockCommands.decodeResult(expiry.decorateRead(TERM, query, locks.query(query), nowMs));
    }

    @Test
    void aGrantWhoseLeaseStillHoldsIsHeldWithTheLeadersRemainingTtl() {
        expiry.tick(TERM, 0);
        LockResult.Granted grant = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));
        expiry.tick(TERM, 100);

        LeaseStanding standing = LeaseStanding.of(grant, "alice", show("db", 400));

        assertThat(standing).isInstanceOf(LeaseStanding.Held.class);
        LeaseStanding.Held held = (LeaseStanding.Held) standing;
        assertThat(held.remainingMs()).as("seen at 100, read at 400").isEqualTo(700);
        assertThat(held.lease().holder()).isEqualTo("alice");
    }

    @Test
    void aGrantReplayedAfterItsLeaseExpiredAndAnotherOwnerTookTheLockIsLostAndNamesTheNewHolder() {
        expiry.tick(TERM, 0);
        LockResult.Granted grant = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));
        expiry.tick(TERM, 0);
        assertThat(apply(expiry.tick(TERM, 1000).get(0))).isInstanceOf(LockResult.Expired.class);
        LockResult.Granted bobs = (LockResult.Granted) apply(LockCommands.acquire("db", "bob", 1000));

        LeaseStanding standing = LeaseStanding.of(grant, "alice", show("db", 1200));

        assertThat(standing).isEqualTo(new LeaseStanding.Lost(grant, locks.show("db").orElseThrow()));
        assertThat(((LeaseStanding.Lost) standing).current().holder()).isEqualTo("bob");
        assertThat(((LeaseStanding.Lost) standing).current().token()).isEqualTo(bobs.token()).isGreaterThan(grant.token());
    }

    @Test
    void aReleasedGrantIsLostWithNobodyHoldingTheLock() {
        LockResult.Granted grant = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));
        apply(LockCommands.release("db", "alice"));

        assertThat(LeaseStanding.of(grant, "alice", show("db", 0))).isEqualTo(new LeaseStanding.Lost(grant, null));
    }

    @Test
    void theSameOwnerUnderANewerGrantDoesNotReviveAnOldGrant() {
        LockResult.Granted first = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));
        apply(LockCommands.release("db", "alice"));
        apply(LockCommands.acquire("db", "alice", 1000));

        LeaseStanding standing = LeaseStanding.of(first, "alice", show("db", 0));

        assertThat(standing).as("a token names one tenure; fencing by the old token would be refused")
                .isInstanceOf(LeaseStanding.Lost.class);
    }

    @Test
    void aRenewalSinceTheGrantKeepsItsTenureHeldWithTheRenewedLease() {
        LockResult.Granted grant = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));
        apply(LockCommands.acquire("db", "alice", 5000));

        LeaseStanding standing = LeaseStanding.of(grant, "alice", show("db", 0));

        assertThat(standing).isInstanceOf(LeaseStanding.Held.class);
        assertThat(((LeaseStanding.Held) standing).lease().ttlMs()).isEqualTo(5000);
        assertThat(((LeaseStanding.Held) standing).remainingMs()).isEqualTo(5000);
    }

    @Test
    void aShowAnsweredWithoutTheLeadersCountSaysSo() {
        LockResult.Granted grant = (LockResult.Granted) apply(LockCommands.acquire("db", "alice", 1000));

        LeaseStanding standing = LeaseStanding.of(grant, "alice", LockCommands.decodeResult(locks.query(LockCommands.show("db"))));

        assertThat(((LeaseStanding.Held) standing).knowsRemaining()).isFalse();
    }

    @Test
    void anAnswerThatIsNotAShowOrAnotherOwnerUnderTheGrantsTokenIsRefused() {
        LockResult.Granted grant = new LockResult.Granted(5, 1000, false);
        assertThatThrownBy(() -> LeaseStanding.of(grant, "alice", new LockResult.Released(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeaseStanding.of(grant, "alice", new LockResult.Held(new Lease("db", "mallory", 5, 1000, 5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mallory");
    }
}
