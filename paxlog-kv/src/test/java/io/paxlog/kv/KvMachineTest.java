package io.paxlog.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.kv.KvResult.Code;
import io.paxlog.kv.KvResult.KvEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvMachineTest {

    private final KvMachine kv = new KvMachine();
    private long slot;

    private KvResult run(byte[] command) {
        slot += 2;
        return KvCommands.decodeResult(kv.apply(slot, command));
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static Code refusal(KvResult result) {
        assertThat(result).isInstanceOf(KvResult.Rejected.class);
        return ((KvResult.Rejected) result).code();
    }

    @Test
    void aPutIsReadBackWithItsSlotAsTheVersion() {
        assertThat(run(KvCommands.put(b("a"), b("one")))).isEqualTo(new KvResult.Written(2));
        assertThat(run(KvCommands.get(b("a")))).isEqualTo(new KvResult.Found(b("one"), 2));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("one"), 2));
    }

    @Test
    void anOverwriteTakesTheNewSlotAsTheVersion() {
        run(KvCommands.put(b("a"), b("one")));
        run(KvCommands.put(b("b"), b("other")));
        assertThat(run(KvCommands.put(b("a"), b("two")))).isEqualTo(new KvResult.Written(6));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("two"), 6));
        assertThat(kv.size()).isEqualTo(2);
    }

    @Test
    void aMissingKeyIsNotFound() {
        assertThat(run(KvCommands.get(b("nothing")))).isEqualTo(new KvResult.NotFound());
        assertThat(kv.get(b("nothing"))).isEqualTo(new KvResult.NotFound());
    }

    @Test
    void aDeleteRemovesTheKeyAndReportsItsLastVersion() {
        run(KvCommands.put(b("a"), b("one")));
        assertThat(run(KvCommands.delete(b("a")))).isEqualTo(new KvResult.Deleted(2));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.NotFound());
        assertThat(run(KvCommands.delete(b("a")))).isEqualTo(new KvResult.NotFound());
        assertThat(kv.size()).isZero();
        assertThat(kv.storeBytes()).isZero();
    }

    @Test
    void compareAndSetWritesOnlyAtTheExpectedVersion() {
        run(KvCommands.put(b("a"), b("one")));
        assertThat(run(KvCommands.compareAndSet(b("a"), 1, b("stale")))).isEqualTo(new KvResult.ConditionFailed(2));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("one"), 2));
        assertThat(run(KvCommands.compareAndSet(b("a"), 2, b("two")))).isEqualTo(new KvResult.Written(6));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("two"), 6));
        assertThat(run(KvCommands.compareAndSet(b("missing"), 6, b("x")))).isEqualTo(new KvResult.ConditionFailed(0));
        assertThat(kv.get(b("missing"))).isEqualTo(new KvResult.NotFound());
    }

    @Test
    void putIfAbsentCreatesOnceThenReportsTheCurrentVersion() {
        assertThat(run(KvCommands.putIfAbsent(b("a"), b("first")))).isEqualTo(new KvResult.Written(2));
        assertThat(run(KvCommands.putIfAbsent(b("a"), b("second")))).isEqualTo(new KvResult.ConditionFailed(2));
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("first"), 2));
    }

    @Test
    void aConditionalDeleteRemovesOnlyAtTheExpectedVersion() {
        run(KvCommands.put(b("a"), b("one")));
        assertThat(run(KvCommands.deleteIfVersion(b("a"), 3))).isEqualTo(new KvResult.ConditionFailed(2));
        assertThat(kv.size()).isEqualTo(1);
        assertThat(run(KvCommands.deleteIfVersion(b("a"), 2))).isEqualTo(new KvResult.Deleted(2));
        assertThat(run(KvCommands.deleteIfVersion(b("a"), 2))).isEqualTo(new KvResult.ConditionFailed(0));
    }

    @Test
    void aListReturnsThePrefixInUnsignedByteOrder() {
        // Signed comparison would put 0x80 and 0xff before 0x00 and 0x7f.
        for (byte[] key : List.of(bytes('k', 0xff), bytes('k', 0x00), bytes('k', 0x80), bytes('k'), bytes('k', 0x7f),
                bytes('j', 0xff), bytes('l'))) {
            run(KvCommands.put(key, bytes(key.length)));
        }
        KvResult.Page page = (KvResult.Page) run(KvCommands.list(b("k"), new byte[0], 100));
        assertThat(page.entries()).extracting(KvEntry::key).containsExactly(bytes('k'), bytes('k', 0x00),
                bytes('k', 0x7f), bytes('k', 0x80), bytes('k', 0xff));
        assertThat(page.more()).isFalse();
        assertThat(page.entries().get(1)).isEqualTo(new KvEntry(bytes('k', 0x00), bytes(2), 4));

        KvResult.Page everything = (KvResult.Page) kv.list(new byte[0], new byte[0], 100);
        assertThat(everything.entries()).extracting(e -> e.key()[0]).containsExactly((byte) 'j', (byte) 'k', (byte) 'k',
                (byte) 'k', (byte) 'k', (byte) 'k', (byte) 'l');
    }

    @Test
    void aListPagesWithItsLimitAndACursor() {
        for (String key : List.of("p1", "p2", "p3", "p4", "q1")) {
            run(KvCommands.put(b(key), b(key)));
        }
        KvResult.Page first = (KvResult.Page) run(KvCommands.list(b("p"), new byte[0], 2));
        assertThat(first.entries()).extracting(e -> new String(e.key(), StandardCharsets.UTF_8)).containsExactly("p1", "p2");
        assertThat(first.more()).isTrue();
        KvResult.Page second = (KvResult.Page) kv.list(b("p"), b("p2"), 2);
        assertThat(second.entries()).extracting(e -> new String(e.key(), StandardCharsets.UTF_8)).containsExactly("p3", "p4");
        assertThat(second.more()).isFalse();

        // A cursor before the prefix starts at the prefix; one past its range finds nothing.
        assertThat(((KvResult.Page) kv.list(b("p"), b("a"), 1)).entries()).extracting(KvEntry::key).containsExactly(b("p1"));
        assertThat(kv.list(b("p"), b("p9"), 10)).isEqualTo(new KvResult.Page(List.of(), false));
        assertThat(kv.list(b("p"), b("p"), 10)).isEqualTo(kv.list(b("p"), new byte[0], 10));
        assertThat(kv.list(b("z"), new byte[0], 10)).isEqualTo(new KvResult.Page(List.of(), false));
    }

    @Test
    void aListIsCappedByTheEntryAndByteLimitsButReturnsAtLeastOneEntry() {
        KvMachine small = new KvMachine(new KvLimits(8, 100, 10_000, 3, 10));
        long s = 1;
        for (String key : List.of("a", "b", "c", "d", "e")) {
            small.apply(s++, KvCommands.put(b(key), b("1234")));
        }
        small.apply(s++, KvCommands.put(b("f"), new byte[50]));
        // limit 100 is capped at 3 entries; 5 bytes each, so the byte limit of 10 stops it at 2.
        KvResult.Page page = (KvResult.Page) small.list(new byte[0], new byte[0], 100);
        assertThat(page.entries()).hasSize(2);
        assertThat(page.more()).isTrue();
        // An entry larger than the byte limit still comes back, alone.
        KvResult.Page large = (KvResult.Page) small.list(new byte[0], b("e"), 100);
        assertThat(large.entries()).extracting(KvEntry::key).containsExactly(b("f"));
        assertThat(large.more()).isFalse();

        KvMachine capped = new KvMachine(new KvLimits(8, 100, 10_000, 3, 1000));
        for (String key : List.of("a", "b", "c", "d")) {
            capped.apply(s++, KvCommands.put(b(key), b("x")));
        }
        KvResult.Page three = (KvResult.Page) capped.list(new byte[0], new byte[0], 100);
        assertThat(three.entries()).hasSize(3);
        assertThat(three.more()).isTrue();
    }

    @Test
    void keysAndValuesAtTheLimitAreAcceptedAndOneByteMoreIsRefused() {
        KvMachine small = new KvMachine(new KvLimits(4, 8, 10_000, 10, 100));
        assertThat(KvCommands.decodeResult(small.apply(1, KvCommands.put(new byte[4], new byte[8]))))
                .isEqualTo(new KvResult.Written(1));
        assertThat(refusal(KvCommands.decodeResult(small.apply(2, KvCommands.put(new byte[5], new byte[1])))))
                .isEqualTo(Code.KEY_TOO_LARGE);
        assertThat(refusal(KvCommands.decodeResult(small.apply(3, KvCommands.put(new byte[1], new byte[9])))))
                .isEqualTo(Code.VALUE_TOO_LARGE);
        assertThat(refusal(KvCommands.decodeResult(small.apply(4, KvCommands.get(new byte[5])))))
                .isEqualTo(Code.KEY_TOO_LARGE);
        assertThat(refusal(KvCommands.decodeResult(small.apply(5, KvCommands.delete(new byte[5])))))
                .isEqualTo(Code.KEY_TOO_LARGE);
        assertThat(refusal(small.list(new byte[5], new byte[0], 1))).isEqualTo(Code.KEY_TOO_LARGE);
        assertThat(refusal(small.list(new byte[0], new byte[5], 1))).isEqualTo(Code.KEY_TOO_LARGE);
        assertThat(small.size()).isEqualTo(1);
    }

    @Test
    void argumentsThatMeanNothingAreRefused() {
        assertThat(refusal(run(KvCommands.put(new byte[0], b("v"))))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(refusal(run(KvCommands.get(new byte[0])))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(refusal(run(KvCommands.delete(new byte[0])))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(refusal(run(KvCommands.list(b("a"), new byte[0], 0)))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(refusal(kv.list(b("a"), new byte[0], -1))).isEqualTo(Code.INVALID_ARGUMENT);
        assertThat(kv.size()).isZero();
    }

    @Test
    void aFullStoreRefusesGrowthButAcceptsAnOverwriteThatFits() {
        // Each entry counts 16 bytes besides its key and value.
        KvMachine small = new KvMachine(new KvLimits(4, 16, 40, 10, 100));
        assertThat(KvCommands.decodeResult(small.apply(1, KvCommands.put(b("a"), new byte[3])))).isEqualTo(new KvResult.Written(1));
        assertThat(small.storeBytes()).isEqualTo(20);
        assertThat(refusal(KvCommands.decodeResult(small.apply(2, KvCommands.put(b("b"), new byte[4])))))
                .isEqualTo(Code.STORE_FULL);
        assertThat(KvCommands.decodeResult(small.apply(3, KvCommands.put(b("b"), new byte[3])))).isEqualTo(new KvResult.Written(3));
        assertThat(small.storeBytes()).isEqualTo(40);
        // Replacing a value counts the old one out first.
        assertThat(KvCommands.decodeResult(small.apply(4, KvCommands.put(b("a"), new byte[2])))).isEqualTo(new KvResult.Written(4));
        assertThat(refusal(KvCommands.decodeResult(small.apply(5, KvCommands.put(b("a"), new byte[5])))))
                .isEqualTo(Code.STORE_FULL);
        assertThat(small.storeBytes()).isEqualTo(39);
        // A failed condition is reported before a full store.
        assertThat(KvCommands.decodeResult(small.apply(6, KvCommands.compareAndSet(b("a"), 1, new byte[9]))))
                .isEqualTo(new KvResult.ConditionFailed(4));
        assertThat(KvCommands.decodeResult(small.apply(7, KvCommands.delete(b("b"))))).isEqualTo(new KvResult.Deleted(3));
        assertThat(small.storeBytes()).isEqualTo(19);
    }

    @Test
    void malformedCommandsAreAnsweredAndChangeNothing() {
        run(KvCommands.put(b("a"), b("one")));
        byte[] before = kv.snapshot();
        byte[] put = KvCommands.put(b("b"), b("two"));
        List<byte[]> malformed = List.of(
                new byte[0],
                bytes(2, 1, 0, 0, 0, 1, 'a'),                       // another format
                bytes(1, 9),                                         // unknown operation
                java.util.Arrays.copyOf(put, put.length - 1),        // cut short
                java.util.Arrays.copyOf(put, put.length + 1),        // a byte too many
                bytes(1, 1, 0xff, 0xff, 0xff, 0xff),                 // negative length
                bytes(1, 1, 0x7f, 0xff, 0xff, 0xff, 'a'),            // length beyond the bytes
                bytes(1, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 7),         // unknown condition
                bytes(1, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), // expected version 0
                bytes(1, 3, 0, 0, 0, 1, 'a', 2));                    // delete only if absent
        for (byte[] command : malformed) {
            KvResult result = run(command);
            assertThat(refusal(result)).as(java.util.Arrays.toString(command)).isEqualTo(Code.MALFORMED);
            assertThat(((KvResult.Rejected) result).message()).isNotBlank();
        }
        assertThat(((KvResult.Rejected) run(bytes(1, 9))).message()).isEqualTo("kv command has unknown operation 9");
        assertThat(((KvResult.Rejected) run(bytes(2))).message()).isEqualTo("kv command format 2 is not 1");
        // Only the applied slot moved.
        KvMachine same = new KvMachine();
        same.restore(before);
        assertThat(kv.list(new byte[0], new byte[0], 10)).isEqualTo(same.list(new byte[0], new byte[0], 10));
    }

    @Test
    void slotsMustIncrease() {
        kv.apply(5, KvCommands.get(b("a")));
        assertThatThrownBy(() -> kv.apply(5, KvCommands.get(b("a")))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> kv.apply(4, KvCommands.get(b("a")))).isInstanceOf(AssertionError.class);
    }

    @Test
    void queriesHandOutCopies() {
        run(KvCommands.put(b("a"), b("one")));
        ((KvResult.Found) kv.get(b("a"))).value()[0] = 'X';
        KvEntry listed = ((KvResult.Page) kv.list(new byte[0], new byte[0], 1)).entries().get(0);
        listed.key()[0] = 'X';
        listed.value()[0] = 'X';
        assertThat(kv.get(b("a"))).isEqualTo(new KvResult.Found(b("one"), 2));
    }

    @Test
    void limitsAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> new KvLimits(0, 1, 1, 0, 1))
                .hasMessage("keyBytesMax: must be positive, was 0; listEntriesMax: must be positive, was 0");
        assertThatThrownBy(() -> new KvLimits(1, 1, (1 << 30) + 1, 1, 1)).hasMessageContaining("storeBytesMax");
        assertThat(KvLimits.DEFAULTS.keyBytesMax()).isEqualTo(1024);
        assertThat(KvLimits.DEFAULTS.valueBytesMax()).isEqualTo(1 << 20);
    }
}
