package io.paxlog.lock;

import io.paxlog.api.codec.Binary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.lock.LockResult.Code;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockMachineTest {

    private LockMachine locks = new LockMachine();
    private long slot;

    private LockResult run(byte[] command) {
        slot += 10;
        return LockCommands.decodeResult(locks.apply(slot, command));
    }

    private static Code refusal(LockResult result) {
        assertThat(result).isInstanceOf(LockResult.Rejected.class);
        return ((LockResult.Rejected) result).code();
    }

    @Test
    void aFreeLockIsGrantedWithTheSlotAsItsToken() {
        assertThat(run(LockCommands.acquire("db", "alice", 5000))).isEqualTo(new LockResult.Granted(10, 5000, false));
        assertThat(locks.show("db")).contains(new Lease("db", "alice", 10, 5000, 10));
        assertThat(run(LockCommands.show("db"))).isEqualTo(new LockResult.Held(new Lease("db", "alice", 10, 5000, 10)));
    }

    @Test
    void aHeldLockIsRefusedWithItsHolderAndToken() {
        run(LockCommands.acquire("db", "alice", 5000));
        assertThat(run(LockCommands.acquire("db", "bob", 100)))
                .isEqualTo(new LockResult.Held(new Lease("db", "alice", 10, 5000, 10)));
        assertThat(locks.show("db").orElseThrow().holder()).isEqualTo("alice");
    }

    @Test
    void theHolderRenewsKeepingItsTokenWithTheNewTtl() {
        run(LockCommands.acquire("db", "alice", 5000));
        assertThat(run(LockCommands.acquire("db", "alice", 9000))).isEqualTo(new LockResult.Granted(10, 9000, true));
        assertThat(locks.show("db")).contains(new Lease("db", "alice", 10, 9000, 20));
    }

    @Test
    void onlyTheHolderReleasesAndEachNewGrantHasAGreaterToken() {
        run(LockCommands.acquire("db", "alice", 5000));
        assertThat(run(LockCommands.release("db", "bob"))).isEqualTo(new LockResult.Held(new Lease("db", "alice", 10, 5000, 10)));
        assertThat(run(LockCommands.release("db", "alice"))).isEqualTo(new LockResult.Released(10));
        assertThat(run(LockCommands.release("db", "alice"))).isEqualTo(new LockResult.Free());
        assertThat(run(LockCommands.show("db"))).isEqualTo(new LockResult.Free());
        assertThat(locks.show("db")).isEmpty();
        assertThat(run(LockCommands.acquire("db", "bob", 5000))).isEqualTo(new LockResult.Granted(60, 5000, false));
    }

    @Test
    void anExpireFreesTheLeaseItNames() {
        run(LockCommands.acquire("db", "alice", 5000));
        Lease lease = locks.show("db").orElseThrow();
        assertThat(run(LockCommands.expire(lease))).isEqualTo(new LockResult.Expired("alice", 10));
        assertThat(locks.show("db")).isEmpty();
        assertThat(run(LockCommands.expire(lease))).isEqualTo(new LockResult.Free());
    }

    @Test
    void anExpireDecidedBeforeARenewalDoesNothing() {
        run(LockCommands.acquire("db", "alice", 5000));
        Lease seen = locks.show("db").orElseThrow();
        run(LockCommands.acquire("db", "alice", 5000));
        Lease renewed = locks.show("db").orElseThrow();
        assertThat(run(LockCommands.expire(seen))).isEqualTo(new LockResult.Held(renewed));
        assertThat(locks.show("db")).contains(renewed);
    }

    @Test
    void anExpireOfAnOlderGrantNeverFreesANewerHolder() {
        run(LockCommands.acquire("db", "alice", 5000));
        Lease old = locks.show("db").orElseThrow();
        run(LockCommands.release("db", "alice"));
        run(LockCommands.acquire("db", "bob", 5000));
        Lease bobs = locks.show("db").orElseThrow();
        assertThat(bobs.token()).isGreaterThan(old.token());
        assertThat(run(LockCommands.expire(old))).isEqualTo(new LockResult.Held(bobs));
        assertThat(run(LockCommands.expire("db", bobs.token(), bobs.renewedSlot() + 1))).isEqualTo(new LockResult.Held(bobs));
        assertThat(locks.show("db")).contains(bobs);
    }

    @Test
    void badArgumentsAreRefused() {
        LockMachine small = new LockMachine(new LockLimits(4, 3, 1000, 10));
        long s = 1;
        List<byte[]> refused = List.of(
                LockCommands.acquire("", "a", 10),
                LockCommands.acquire("abcde", "a", 10),
                LockCommands.acquire("ab", "", 10),
                LockCommands.acquire("ab", "abcd", 10),
                LockCommands.acquire("ab", "é€", 10),           // 5 bytes in UTF-8, 2 chars
                LockCommands.acquire("ab", "a", 0),
                LockCommands.acquire("ab", "a", 1001),
                LockCommands.acquire("ab", "a", -5),
                LockCommands.release("", "a"),
                LockCommands.release("ab", "abcd"),
                LockCommands.expire("ab", 0, 3),
                LockCommands.expire("ab", 5, 4),
                LockCommands.expire("abcde", 1, 1),
                LockCommands.show(""));
        for (byte[] command : refused) {
            LockResult result = LockCommands.decodeResult(small.apply(s++, command));
            assertThat(refusal(result)).as(LockCommands.decodeCommand(command).toString()).isEqualTo(Code.INVALID_ARGUMENT);
        }
        assertThat(LockCommands.decodeResult(small.apply(s++, LockCommands.acquire("abcd", "abc", 1000))))
                .isInstanceOf(LockResult.Granted.class);
        assertThat(LockCommands.decodeResult(small.apply(s++, LockCommands.acquire("é€", "a", 1))))
                .isInstanceOf(LockResult.Rejected.class);
        assertThat(small.size()).isEqualTo(1);
    }

    @Test
    void atTheLockLimitNewGrantsAreRefusedButRenewalsAndAnswersGoOn() {
        LockMachine small = new LockMachine(new LockLimits(8, 8, 1000, 2));
        small.apply(1, LockCommands.acquire("a", "x", 10));
        small.apply(2, LockCommands.acquire("b", "x", 10));
        assertThat(refusal(LockCommands.decodeResult(small.apply(3, LockCommands.acquire("c", "x", 10)))))
                .isEqualTo(Code.TOO_MANY_LOCKS);
        assertThat(LockCommands.decodeResult(small.apply(4, LockCommands.acquire("a", "x", 20))))
                .isEqualTo(new LockResult.Granted(1, 20, true));
        assertThat(LockCommands.decodeResult(small.apply(5, LockCommands.acquire("b", "y", 20))))
                .isEqualTo(new LockResult.Held(new Lease("b", "x", 2, 10, 2)));
        small.apply(6, LockCommands.release("a", "x"));
        assertThat(LockCommands.decodeResult(small.apply(7, LockCommands.acquire("c", "x", 10))))
                .isEqualTo(new LockResult.Granted(7, 10, false));
    }

    @Test
    void malformedCommandsAreAnsweredAndChangeNothing() {
        run(LockCommands.acquire("db", "alice", 5000));
        byte[] acquire = LockCommands.acquire("db", "bob", 5000);
        List<byte[]> malformed = List.of(
                new byte[0],
                new byte[] {2, 1},                                  // another format
                new byte[] {1, 9},                                  // unknown operation
                Arrays.copyOf(acquire, acquire.length - 1),         // cut short
                Arrays.copyOf(acquire, acquire.length + 1),         // a byte too many
                new byte[] {1, 4, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // negative length
                new byte[] {1, 4, 0, 0, 0, 2, (byte) 0xc3, (byte) 0x28});  // not UTF-8
        for (byte[] command : malformed) {
            LockResult result = run(command);
            assertThat(refusal(result)).as(Arrays.toString(command)).isEqualTo(Code.MALFORMED);
            assertThat(((LockResult.Rejected) result).message()).isNotBlank();
        }
        assertThat(((LockResult.Rejected) run(new byte[] {1, 4, 0, 0, 0, 2, (byte) 0xc3, (byte) 0x28})).message())
                .isEqualTo("lock command: the string at byte 2 is not UTF-8");
        assertThat(locks.show("db")).contains(new Lease("db", "alice", 10, 5000, 10));
    }

    @Test
    void aStringThatIsNotUnicodeIsNotEncoded() {
        assertThatThrownBy(() -> LockCommands.acquire("\ud800", "a", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void slotsMustIncrease() {
        locks.apply(5, LockCommands.show("a"));
        assertThatThrownBy(() -> locks.apply(5, LockCommands.show("a"))).isInstanceOf(AssertionError.class);
    }

    @Test
    void leasesListsEveryHeldLockInNameOrderAndIsReadOnly() {
        run(LockCommands.acquire("b", "x", 1));
        run(LockCommands.acquire("a", "y", 2));
        run(LockCommands.acquire("c", "z", 3));
        run(LockCommands.release("c", "z"));
        List<Lease> listed = new ArrayList<>();
        locks.leases().forEachRemaining(listed::add);
        assertThat(listed).containsExactly(new Lease("a", "y", 20, 2, 20), new Lease("b", "x", 10, 1, 10));
        Iterator<Lease> iterator = locks.leases();
        iterator.next();
        assertThatThrownBy(iterator::remove).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aSnapshotRestoresTheLeasesAndTheAppliedSlot() {
        run(LockCommands.acquire("b", "x", 1));
        run(LockCommands.acquire("a", "y", 2));
        LockMachine copy = new LockMachine();
        copy.restore(locks.snapshot());
        assertThat(copy.show("a")).isEqualTo(locks.show("a"));
        assertThat(copy.show("b")).isEqualTo(locks.show("b"));
        assertThat(copy.appliedSlot()).isEqualTo(20);
        assertThat(copy.snapshot()).isEqualTo(locks.snapshot());
        assertThatThrownBy(() -> copy.apply(20, LockCommands.show("a"))).isInstanceOf(AssertionError.class);
    }

    @Test
    void aSnapshotUnderOtherLimitsIsRefused() {
        run(LockCommands.acquire("b", "x", 1));
        LockMachine other = new LockMachine(new LockLimits(256, 256, 1000, 100_000));
        assertThatThrownBy(() -> other.restore(locks.snapshot())).hasMessageContaining("limits must match");
    }

    @Test
    void aSnapshotThatBreaksAnInvariantIsRefusedEvenWithAGoodChecksum() {
        LockLimits limits = LockLimits.DEFAULTS;
        // Names out of order.
        assertThatThrownBy(() -> locks.restore(snapshot(limits, 10, new Lease("b", "x", 1, 1, 1), new Lease("a", "x", 2, 1, 2))))
                .hasMessageContaining("increasing order");
        // A renewal after the applied slot.
        assertThatThrownBy(() -> locks.restore(snapshot(limits, 1, new Lease("a", "x", 1, 1, 2))))
                .hasMessageContaining("applied slot");
        // A token after the renewal: the Lease record refuses to be built, so write the bytes by hand.
        byte[] bad = new Binary.Writer(64).putInt(0x50584c4b).putByte(1).putInt(limits.nameBytesMax())
                .putInt(limits.ownerBytesMax()).putLong(limits.ttlMsMax()).putInt(limits.locksMax()).putLong(10).putInt(1)
                .putString("a").putString("x").putLong(5).putLong(1).putLong(4).finishWithChecksum();
        assertThatThrownBy(() -> locks.restore(bad)).hasMessageContaining("renewedSlot");
        assertThat(locks.size()).isZero();
    }

    @Test
    void limitsAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> new LockLimits(0, 1, 0, 1))
                .hasMessage("nameBytesMax: must be positive, was 0; ttlMsMax: must be positive, was 0");
    }

    static byte[] snapshot(LockLimits limits, long appliedSlot, Lease... leases) {
        Binary.Writer out = new Binary.Writer(64).putInt(0x50584c4b).putByte(1).putInt(limits.nameBytesMax())
                .putInt(limits.ownerBytesMax()).putLong(limits.ttlMsMax()).putInt(limits.locksMax())
                .putLong(appliedSlot).putInt(leases.length);
        for (Lease lease : leases) {
            out.putString(lease.name()).putString(lease.holder()).putLong(lease.token()).putLong(lease.ttlMs())
                    .putLong(lease.renewedSlot());
        }
        return out.finishWithChecksum();
    }
}
