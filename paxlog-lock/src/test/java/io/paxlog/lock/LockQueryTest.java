package io.paxlog.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link LockMachine#query} and the held-with-remaining-ttl result a leader adds to a show. */
class LockQueryTest {

    private final LockMachine locks = new LockMachine();

    @Test
    void aShowQueryAnswersWhatTheShowCommandWouldAndChangesNothing() {
        locks.apply(5, LockCommands.acquire("db", "alice", 3000));
        byte[] snapshot = locks.snapshot();

        for (String name : new String[] {"db", "free", ""}) {
            byte[] answered = locks.query(LockCommands.show(name));
            assertThat(locks.snapshot()).isEqualTo(snapshot);
            LockMachine replay = new LockMachine();
            replay.restore(snapshot);
            assertThat(answered).isEqualTo(replay.apply(6, LockCommands.show(name)));
        }
        assertThat(LockCommands.decodeResult(locks.query(LockCommands.show("db"))))
                .isEqualTo(new LockResult.Held(new Lease("db", "alice", 5, 3000, 5)));
    }

    @Test
    void aQueryThatWouldChangeTheLocksIsRefused() {
        assertThatThrownBy(() -> locks.query(LockCommands.acquire("db", "alice", 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a show");
        assertThatThrownBy(() -> locks.query(LockCommands.release("db", "alice"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> locks.query(LockCommands.expire("db", 1, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> locks.query(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThat(locks.size()).isZero();
    }

    @Test
    void aHeldResultWithARemainingTtlRoundTripsAsItsOwnKindAndWithoutOneAsBefore() {
        Lease lease = new Lease("db", "alice", 5, 3000, 7);
        byte[] plain = LockCommands.encodeResult(new LockResult.Held(lease));
        byte[] withTtl = LockCommands.encodeResult(new LockResult.Held(lease, 1234));

        assertThat(plain[1]).isEqualTo((byte) 0x02);
        assertThat(withTtl[1]).isEqualTo((byte) 0x07);
        assertThat(withTtl).hasSize(plain.length + 8);
        assertThat(LockCommands.decodeResult(plain)).isEqualTo(new LockResult.Held(lease));
        assertThat(LockCommands.decodeResult(withTtl)).isEqualTo(new LockResult.Held(lease, 1234));
        assertThat(((LockResult.Held) LockCommands.decodeResult(plain)).knowsRemaining()).isFalse();
    }

    @Test
    void aRemainingTtlOutsideTheLeaseIsRefused() {
        Lease lease = new Lease("db", "alice", 5, 3000, 7);
        assertThatThrownBy(() -> new LockResult.Held(lease, 3001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockResult.Held(lease, -2)).isInstanceOf(IllegalArgumentException.class);
        byte[] negative = LockCommands.encodeResult(new LockResult.Held(lease, 0));
        negative[negative.length - 1] = -1;
        for (int i = negative.length - 8; i < negative.length; i++) {
            negative[i] = -1;
        }
        assertThatThrownBy(() -> LockCommands.decodeResult(negative)).isInstanceOf(IllegalArgumentException.class);
    }
}
