package io.paxlog.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Epoch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The expiry scheduler against a real lock machine, with time passed in: no clock, no sleeps. */
class LockExpiryTest {

    private static final Epoch TERM = new Epoch(3, 1);
    private static final long TTL = 1000;

    private final LockMachine locks = new LockMachine();
    private final LockExpiry expiry = new LockExpiry(locks, 500);
    private long slot;

    private LockResult apply(byte[] command) {
        return LockCommands.decodeResult(locks.apply(++slot, command));
    }

    private static List<LockCommand> expires(List<byte[]> commands) {
        return commands.stream().map(LockCommands::decodeCommand).toList();
    }

    @Test
    void anExpireIsProposedOnceTheTtlHasPassedAndNotBefore() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        Lease lease = locks.show("db").orElseThrow();

        assertThat(expiry.tick(TERM, 100)).as("first seen at 100").isEmpty();
        assertThat(expiry.tick(TERM, 100 + TTL - 1)).isEmpty();
        List<byte[]> due = expiry.tick(TERM, 100 + TTL);

        assertThat(expires(due)).containsExactly(new LockCommand.Expire("db", lease.token(), lease.renewedSlot()));
    }

    @Test
    void theProposedExpireFreesTheLockWhenApplied() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        long token = locks.show("db").orElseThrow().token();
        expiry.tick(TERM, 0);

        byte[] expire = expiry.tick(TERM, TTL).get(0);

        assertThat(apply(expire)).isEqualTo(new LockResult.Expired("alice", token));
        assertThat(locks.show("db")).isEmpty();
        assertThat(expiry.tick(TERM, TTL + 10_000)).as("nothing left to expire").isEmpty();
    }

    @Test
    void aRenewalRestartsTheTtlAndMakesAnEarlierExpireANoop() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        expiry.tick(TERM, 0);
        byte[] stale = expiry.tick(TERM, TTL).get(0);

        apply(LockCommands.acquire("db", "alice", TTL)); // renewed before the stale expire reached the log
        assertThat(expiry.tick(TERM, TTL + 200)).as("the renewal was first seen at " + (TTL + 200)).isEmpty();
        assertThat(apply(stale)).isInstanceOf(LockResult.Held.class);
        assertThat(locks.show("db")).isPresent();

        assertThat(expiry.tick(TERM, 2 * TTL + 199)).isEmpty();
        Lease renewed = locks.show("db").orElseThrow();
        assertThat(expires(expiry.tick(TERM, 2 * TTL + 200)))
                .containsExactly(new LockCommand.Expire("db", renewed.token(), renewed.renewedSlot()));
    }

    @Test
    void aNewLeaderGivesEveryHolderAFullTtlFromWhenItTookOver() {
        // Granted long ago, under another leader: this server followed then.
        apply(LockCommands.acquire("db", "alice", TTL));
        assertThat(expiry.tick(null, 0)).isEmpty();
        assertThat(expiry.tick(null, 5 * TTL)).isEmpty();

        assertThat(expiry.tick(TERM, 5 * TTL)).as("took over at " + 5 * TTL).isEmpty();
        assertThat(expiry.tick(TERM, 6 * TTL - 1)).isEmpty();
        assertThat(expiry.tick(TERM, 6 * TTL)).hasSize(1);
    }

    @Test
    void leadingAgainAtALaterEpochStartsAFullTtl() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        expiry.tick(TERM, 0);
        expiry.tick(null, 600);
        Epoch later = new Epoch(TERM.round() + 1, TERM.serverId());

        assertThat(expiry.tick(later, 700)).isEmpty();
        assertThat(expiry.tick(later, 700 + TTL - 1)).as("the first term's count is forgotten").isEmpty();
        assertThat(expiry.tick(later, 700 + TTL)).hasSize(1);
    }

    @Test
    void aFollowerNeverProposesAndKnowsNoRemainingTtl() {
        apply(LockCommands.acquire("db", "alice", TTL));
        Lease lease = locks.show("db").orElseThrow();
        for (long now = 0; now <= 10 * TTL; now += 100) {
            assertThat(expiry.tick(null, now)).isEmpty();
        }
        assertThat(expiry.remainingMs(lease, 10 * TTL)).isEmpty();
        byte[] show = LockCommands.show("db");
        byte[] answer = locks.query(show);
        assertThat(expiry.withRemaining(show, answer, 10 * TTL)).isEqualTo(answer);
    }

    @Test
    void anExpireThatDidNotTakeEffectIsProposedAgainAfterTheResendInterval() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        expiry.tick(TERM, 0);
        byte[] first = expiry.tick(TERM, TTL).get(0);

        assertThat(expiry.tick(TERM, TTL + 499)).as("within the resend interval").isEmpty();
        byte[] again = expiry.tick(TERM, TTL + 500).get(0);

        assertThat(again).isEqualTo(first);
    }

    @Test
    void eachDueLeaseGetsItsOwnExpireInNameOrder() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("a", "alice", TTL));
        apply(LockCommands.acquire("b", "bob", 2 * TTL));
        apply(LockCommands.acquire("c", "carol", TTL));
        expiry.tick(TERM, 0);

        List<byte[]> due = expiry.tick(TERM, TTL);

        assertThat(expires(due)).extracting(c -> ((LockCommand.Expire) c).name()).containsExactly("a", "c");
        assertThat(expires(expiry.tick(TERM, 2 * TTL))).extracting(c -> ((LockCommand.Expire) c).name())
                .containsExactly("a", "b", "c"); // a and c again: their expires were never applied here
    }

    @Test
    void theLeaderReportsTheRemainingTtlOfAShow() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        expiry.tick(TERM, 100);
        byte[] show = LockCommands.show("db");

        LockResult at400 = LockCommands.decodeResult(expiry.withRemaining(show, locks.query(show), 400));
        LockResult late = LockCommands.decodeResult(expiry.withRemaining(show, locks.query(show), 100 + 5 * TTL));

        Lease lease = locks.show("db").orElseThrow();
        assertThat(at400).isEqualTo(new LockResult.Held(lease, TTL - 300));
        assertThat(late).isEqualTo(new LockResult.Held(lease, 0));
        byte[] free = locks.query(LockCommands.show("nobody"));
        assertThat(expiry.withRemaining(LockCommands.show("nobody"), free, 400)).isEqualTo(free);
    }

    @Test
    void aLeaseAppliedSinceTheLastTickCountsAsSeenWhenFirstAskedAbout() {
        expiry.tick(TERM, 0);
        apply(LockCommands.acquire("db", "alice", TTL));
        Lease lease = locks.show("db").orElseThrow();

        assertThat(expiry.remainingMs(lease, 300)).hasValue(TTL);
        assertThat(expiry.tick(TERM, 300 + TTL - 1)).isEmpty();
        assertThat(expiry.tick(TERM, 300 + TTL)).hasSize(1);
    }

    @Test
    void aLeaderAnsweringAReadBeforeItsFirstTickGivesAFullTtlAndTheTickAgrees() {
        apply(LockCommands.acquire("db", "alice", TTL)); // held before this server led
        byte[] show = LockCommands.show("db");
        expiry.lead(TERM); // the loop, answering a read between becoming leader and its next tick
        Lease lease = locks.show("db").orElseThrow();
        assertThat(LockCommands.decodeResult(expiry.withRemaining(show, locks.query(show), 50)))
                .isEqualTo(new LockResult.Held(lease, TTL));
        assertThat(expiry.tick(TERM, 50 + TTL - 1)).as("the tick keeps the term and the count").isEmpty();
        assertThat(expiry.tick(TERM, 50 + TTL)).hasSize(1);
    }
}
