package io.paxlog.core;

import io.paxlog.api.codec.Binary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactlyOnceTest {

    /** Counts what reaches it and answers with the count. */
    private static class Counter implements StateMachine {
        final List<Long> slots = new ArrayList<>();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            slots.add(slot);
            return new byte[] {(byte) slots.size()};
        }

        @Override
        public byte[] snapshot() {
            ByteBuffer out = ByteBuffer.allocate(8 * slots.size());
            slots.forEach(out::putLong);
            return out.array();
        }

        @Override
        public void restore(byte[] snapshot) {
            slots.clear();
            ByteBuffer in = ByteBuffer.wrap(snapshot);
            while (in.hasRemaining()) {
                slots.add(in.getLong());
            }
        }
    }

    @Test
    void aRepeatedCommandAppliesOnceAndReturnsTheSavedResult() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        Command command = new Command(1, 1, new byte[] {5});
        assertThat(layer.apply(1, command).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.APPLIED);
        ExactlyOnce.Outcome repeat = layer.apply(2, command);
        assertThat(repeat.kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(repeat.result()).containsExactly(1);
        assertThat(machine.slots).containsExactly(1L);
    }

    @Test
    void aDuplicateAnswersWithTheSlotOfTheFirstCopyAlsoAfterASnapshot() {
        ExactlyOnce layer = new ExactlyOnce(new Counter(), 4);
        Command command = new Command(1, 1, new byte[] {5});
        assertThat(layer.apply(3, command).slot()).isEqualTo(3);
        assertThat(layer.apply(9, command).slot()).as("a retry that landed in the log again").isEqualTo(3);

        ExactlyOnce restored = new ExactlyOnce(new Counter(), 4);
        restored.restore(layer.snapshot());
        ExactlyOnce.Outcome again = restored.apply(12, command);
        assertThat(again.kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(again.slot()).isEqualTo(3);
    }

    @Test
    void pipelinedCommandsChosenOutOfOrderAllApply() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        layer.apply(1, new Command(1, 3, new byte[0]));
        assertThat(layer.apply(2, new Command(1, 2, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.APPLIED);
        assertThat(machine.slots).containsExactly(1L, 2L);
    }

    @Test
    void aSequenceOlderThanTheWindowIsExpiredNotReapplied() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 2);
        for (long sequence = 1; sequence <= 5; sequence++) {
            layer.apply(sequence, new Command(1, sequence, new byte[0]));
        }
        assertThat(layer.apply(6, new Command(1, 2, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.EXPIRED);
        assertThat(layer.apply(7, new Command(1, 5, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(machine.slots).hasSize(5);
    }

    @Test
    void clientsAreIndependentAndNoopsNeverReachTheMachine() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 2);
        layer.apply(1, new Command(1, 1, new byte[0]));
        layer.apply(2, new Command(2, 1, new byte[0]));
        assertThat(layer.apply(3, Command.NOOP).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.NOOP);
        assertThat(machine.slots).containsExactly(1L, 2L);
        assertThat(layer.sessionCount()).isEqualTo(2);
    }

    @Test
    void aStateMachineAnsweringNullIsRefused() {
        ExactlyOnce layer = new ExactlyOnce(new Counter() {
            @Override
            public byte[] apply(long slot, byte[] payload) {
                return null;
            }
        }, 2);
        assertThatThrownBy(() -> layer.apply(1, new Command(1, 1, new byte[0])))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSnapshotCarriesTheTableAndTheStateToAnotherServer() {
        ExactlyOnce original = new ExactlyOnce(new Counter(), 3);
        for (long sequence = 1; sequence <= 5; sequence++) {
            original.apply(sequence, new Command(1, sequence, new byte[0]));
        }
        original.apply(6, new Command(2, 1, new byte[0]));
        byte[] snapshot = original.snapshot();

        Counter machine = new Counter();
        ExactlyOnce restored = new ExactlyOnce(machine, 3);
        restored.restore(snapshot);
        assertThat(machine.slots).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(restored.sessionCount()).isEqualTo(2);
        ExactlyOnce.Outcome retry = restored.apply(7, new Command(1, 5, new byte[0]));
        assertThat(retry.kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(retry.result()).containsExactly(5);
        assertThat(restored.apply(8, new Command(1, 2, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.EXPIRED);
        ExactlyOnce again = new ExactlyOnce(new Counter(), 3);
        again.restore(snapshot);
        assertThat(again.snapshot()).as("restore then snapshot gives the same bytes").isEqualTo(snapshot);
    }

    @Test
    void everyDamagedByteOfASnapshotIsRefusedAndChangesNothing() {
        ExactlyOnce original = new ExactlyOnce(new Counter(), 3);
        original.apply(1, new Command(1, 1, new byte[] {9}));
        byte[] snapshot = original.snapshot();
        Counter machine = new Counter();
        machine.apply(42, new byte[0]);
        ExactlyOnce target = new ExactlyOnce(machine, 3);
        for (int i = 0; i < snapshot.length; i++) {
            byte[] damaged = snapshot.clone();
            damaged[i] ^= 0x10;
            assertThatThrownBy(() -> target.restore(damaged)).as("byte %d", i).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> target.restore(java.util.Arrays.copyOf(snapshot, snapshot.length - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(machine.slots).containsExactly(42L);
        assertThat(target.sessionCount()).isZero();
    }

    @Test
    void aSnapshotFromAClusterWithAnotherWindowIsRefused() {
        byte[] snapshot = new ExactlyOnce(new Counter(), 3).snapshot();
        assertThatThrownBy(() -> new ExactlyOnce(new Counter(), 4).restore(snapshot))
                .hasMessageContaining("window");
    }

    @Test
    void aLargeStateWithManyClientsRoundTripsExactly() {
        Counter machine = new Counter();
        ExactlyOnce original = new ExactlyOnce(machine, 8);
        long slot = 0;
        for (long client = 1; client <= 50; client++) {
            for (long sequence = 1; sequence <= 10; sequence++) {
                original.apply(++slot, new Command(client * 1_000_000_007L, sequence, new byte[(int) sequence * 100]));
            }
        }
        byte[] snapshot = original.snapshot();
        assertThat(snapshot.length).as("grew well past the first buffer").isGreaterThan(4_000);
        Counter copy = new Counter();
        ExactlyOnce restored = new ExactlyOnce(copy, 8);
        restored.restore(snapshot);
        assertThat(copy.slots).isEqualTo(machine.slots);
        assertThat(restored.snapshot()).isEqualTo(snapshot);
        for (long client = 1; client <= 50; client++) {
            Command retry = new Command(client * 1_000_000_007L, 10, new byte[0]);
            assertThat(restored.apply(++slot, retry).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        }
    }

    @Test
    void extraBytesAfterAValidFrameAreRefused() {
        Binary.Writer writer = new Binary.Writer().putInt(1).putLong(-2).putBytes(new byte[] {3, 4});
        byte[] framed = writer.finishWithChecksum();
        Binary.Reader reader = Binary.Reader.checked(framed, "test frame");
        assertThat(reader.getInt()).isEqualTo(1);
        assertThat(reader.getLong()).isEqualTo(-2);
        assertThat(reader.getBytes()).containsExactly(3, 4);
        reader.expectEnd();

        byte[] longer = new Binary.Writer().putInt(1).putInt(2).finishWithChecksum();
        Binary.Reader partly = Binary.Reader.checked(longer, "test frame");
        partly.getInt();
        assertThatThrownBy(partly::expectEnd).hasMessageContaining("4 unexpected bytes");
        assertThatThrownBy(partly::getLong).hasMessageContaining("ends early");

        byte[] negative = new Binary.Writer().putInt(-1).finishWithChecksum();
        assertThatThrownBy(() -> Binary.Reader.checked(negative, "test frame").getBytes())
                .hasMessageContaining("negative length");
        assertThatThrownBy(() -> Binary.Reader.checked(new byte[3], "tiny")).hasMessageContaining("truncated");
    }

    /** Keeps its slots in an immutable list replaced on each apply, so its view is the list it holds now. */
    private static final class FrozenCounter extends Counter {
        List<Long> frozen = List.of();
        int viewsWritten;

        @Override
        public byte[] apply(long slot, byte[] payload) {
            byte[] result = super.apply(slot, payload);
            frozen = List.copyOf(slots);
            return result;
        }

        @Override
        public io.paxlog.api.SnapshotSource snapshotSource() {
            List<Long> view = frozen;
            return out -> {
                viewsWritten++;
                ByteBuffer bytes = ByteBuffer.allocate(8 * view.size());
                view.forEach(bytes::putLong);
                out.write(bytes.array());
            };
        }
    }

    @Test
    void aViewWrittenAfterMoreAppliesHoldsTheStateAndTableOfWhenItWasTaken() {
        FrozenCounter machine = new FrozenCounter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        layer.apply(1, new Command(1, 1, new byte[0]));
        layer.apply(2, new Command(2, 1, new byte[0]));
        byte[] atTwo = layer.snapshot();
        io.paxlog.api.SnapshotSource view = layer.snapshotSource();
        layer.apply(3, new Command(1, 2, new byte[0]));
        layer.apply(4, new Command(3, 1, new byte[0]));
        int before = machine.viewsWritten;
        byte[] written = view.toByteArray();
        assertThat(machine.viewsWritten).as("the machine's own view wrote it, not snapshot()").isEqualTo(before + 1);
        assertThat(written).as("the table and the machine as at slot 2").isEqualTo(atTwo);
        assertThat(view.toByteArray()).as("written again, the same bytes").isEqualTo(written);

        Counter copy = new Counter();
        ExactlyOnce restored = new ExactlyOnce(copy, 4);
        restored.restore(written);
        assertThat(copy.slots).containsExactly(1L, 2L);
        assertThat(restored.sessionCount()).isEqualTo(2);
    }

    @Test
    void aMachineStateLargerThanAChunkRoundTripsAndIsCutTheSameWayWhateverItsWrites() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        int slots = 3 * ExactlyOnce.MACHINE_CHUNK_BYTES / 8 + 5; // three whole chunks and a short one
        for (long slot = 1; slot <= slots; slot++) {
            machine.apply(slot, new byte[0]); // straight to the machine: the table stays empty
        }
        byte[] whole = layer.snapshot();
        // The same bytes written one at a time must frame identically: the framing is the layer's, not the writes'.
        ExactlyOnce byBytes = new ExactlyOnce(new Counter() {
            @Override
            public io.paxlog.api.SnapshotSource snapshotSource() {
                byte[] state = machine.snapshot();
                return out -> {
                    for (byte b : state) {
                        out.write(b);
                    }
                };
            }
        }, 4);
        assertThat(byBytes.snapshot()).isEqualTo(whole);
        Counter copy = new Counter();
        new ExactlyOnce(copy, 4).restore(whole);
        assertThat(copy.slots).isEqualTo(machine.slots);
    }

    @Test
    void aVersion2SnapshotWithTheMachineAsOneFieldIsStillRead() {
        Counter source = new Counter();
        source.apply(1, new byte[0]);
        source.apply(2, new byte[0]);
        byte[] version2 = new Binary.Writer().putInt(0x50584551).putByte(2).putInt(4).putInt(1)
                .putLong(7).putLong(3).putInt(1).putLong(3).putLong(2).putBytes(new byte[] {2})
                .putBytes(source.snapshot()).finishWithChecksum();
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        layer.restore(version2);
        assertThat(machine.slots).containsExactly(1L, 2L);
        ExactlyOnce.Outcome retry = layer.apply(3, new Command(7, 3, new byte[0]));
        assertThat(retry.kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(retry.slot()).isEqualTo(2);
    }

    @Test
    void aMachineThatStopsReadingBeforeItsEndIsCaughtAndTheTableKept() {
        Counter source = new Counter();
        source.apply(1, new byte[0]);
        ExactlyOnce layer = new ExactlyOnce(source, 4);
        layer.apply(2, new Command(1, 1, new byte[0]));
        byte[] snapshot = layer.snapshot();
        ExactlyOnce lazy = new ExactlyOnce(new Counter() {
            @Override
            public void restore(java.io.InputStream in) throws java.io.IOException {
                in.read(); // one byte, then gives up: a broken machine
            }
        }, 4);
        assertThatThrownBy(() -> lazy.restore(snapshot)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not read its snapshot to the end");
        assertThat(lazy.sessionCount()).isZero();
    }
}
