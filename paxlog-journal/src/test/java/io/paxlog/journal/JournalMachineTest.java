package io.paxlog.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.journal.JournalMachine.Entry;
import io.paxlog.journal.JournalMachine.Page;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class JournalMachineTest {

    @Test
    void appendsAreNumberedInOrderAndReadBackWithTheirSlots() {
        JournalMachine journal = new JournalMachine();
        assertThat(JournalMachine.decodeAppended(journal.apply(3, append("a")))).isEqualTo(new JournalMachine.Appended(1, 3));
        assertThat(JournalMachine.decodeAppended(journal.apply(7, append("b")))).isEqualTo(new JournalMachine.Appended(2, 7));
        journal.apply(8, append("c"));

        Page page = JournalMachine.decodePage(journal.apply(9, JournalMachine.readCommand(2, 10)));
        assertThat(page.size()).isEqualTo(3);
        assertThat(texts(page.entries())).containsExactly("b", "c");
        assertThat(page.entries()).extracting(Entry::index).containsExactly(2L, 3L);
        assertThat(page.entries()).extracting(Entry::slot).containsExactly(7L, 8L);

        Page beyond = JournalMachine.decodePage(journal.apply(10, JournalMachine.readCommand(4, 10)));
        assertThat(beyond.size()).isEqualTo(3);
        assertThat(beyond.entries()).isEmpty();
    }

    @Test
    void aReadIsBoundedByEntriesAndBytesButReturnsAtLeastOneEntry() {
        JournalMachine journal = new JournalMachine();
        long slot = 1;
        for (int i = 0; i < JournalMachine.READ_ENTRIES_MAX + 5; i++) {
            journal.apply(slot++, append("x"));
        }
        assertThat(JournalMachine.decodePage(journal.apply(slot++, JournalMachine.readCommand(1, 5))).entries()).hasSize(5);
        assertThat(JournalMachine.decodePage(journal.apply(slot++, JournalMachine.readCommand(1, Integer.MAX_VALUE)))
                .entries()).hasSize(JournalMachine.READ_ENTRIES_MAX);

        JournalMachine big = new JournalMachine();
        byte[] large = new byte[JournalMachine.READ_BYTES_MAX / 2 + 1];
        big.apply(1, JournalMachine.appendCommand(large));
        big.apply(2, JournalMachine.appendCommand(large));
        big.apply(3, JournalMachine.appendCommand(new byte[JournalMachine.READ_BYTES_MAX * 2]));
        assertThat(JournalMachine.decodePage(big.apply(4, JournalMachine.readCommand(1, 10))).entries()).hasSize(1);
        assertThat(JournalMachine.decodePage(big.apply(5, JournalMachine.readCommand(3, 10))).entries()).hasSize(1);
    }

    @Test
    void aFullJournalRefusesAppendsAndKeepsItsEntries() {
        JournalMachine journal = new JournalMachine(4);
        journal.apply(1, append("abc"));
        byte[] refused = journal.apply(2, append("de"));
        assertThatThrownBy(() -> JournalMachine.decodeAppended(refused)).hasMessageContaining("journal full");
        journal.apply(3, append("d"));
        assertThat(journal.size()).isEqualTo(2);
    }

    @Test
    void malformedCommandsAreAnsweredNotThrown() {
        JournalMachine journal = new JournalMachine();
        assertThatThrownBy(() -> JournalMachine.decodeAppended(journal.apply(1, new byte[0])))
                .hasMessageContaining("empty command");
        assertThatThrownBy(() -> JournalMachine.decodeAppended(journal.apply(2, new byte[] {9})))
                .hasMessageContaining("unknown operation 9");
        assertThatThrownBy(() -> JournalMachine.decodePage(journal.apply(3, new byte[] {JournalMachine.READ, 1})))
                .hasMessageContaining("a read is 13 bytes");
        assertThatThrownBy(() -> JournalMachine.decodePage(journal.apply(4, JournalMachine.readCommand(0, 1))))
                .hasMessageContaining("fromIndex >= 1");
        assertThat(journal.size()).isZero();
    }

    @Test
    void aRestoredJournalContinuesExactlyWhereTheSnapshotWas() {
        JournalMachine original = new JournalMachine();
        original.apply(2, append("one"));
        original.apply(5, append(""));
        original.apply(6, append("three"));
        byte[] snapshot = original.snapshot();

        JournalMachine restored = new JournalMachine();
        restored.apply(1, append("to be replaced"));
        restored.restore(snapshot);

        assertThat(restored.snapshot()).isEqualTo(snapshot);
        assertThat(JournalMachine.decodeAppended(restored.apply(9, append("four"))))
                .isEqualTo(JournalMachine.decodeAppended(original.apply(9, append("four"))));
        assertThat(texts(JournalMachine.decodePage(restored.apply(10, JournalMachine.readCommand(1, 10))).entries()))
                .containsExactly("one", "", "three", "four");
    }

    @Test
    void aDamagedSnapshotIsRefusedAndTheStateIsUnchanged() {
        JournalMachine source = new JournalMachine();
        source.apply(1, append("kept?"));
        byte[] good = source.snapshot();

        JournalMachine target = new JournalMachine();
        target.apply(1, append("mine"));
        byte[] before = target.snapshot();

        for (int i = 0; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= 0x10;
            assertThatThrownBy(() -> target.restore(flipped)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> target.restore(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.restore(new byte[3])).isInstanceOf(IllegalArgumentException.class);
        assertThat(target.snapshot()).isEqualTo(before);
    }

    @Property(tries = 200)
    void snapshotsRoundTripAnyJournal(@ForAll @Size(max = 30) List<@Size(max = 40) byte[]> appends) {
        JournalMachine journal = new JournalMachine();
        long slot = 0;
        for (byte[] data : appends) {
            slot += 1 + (data.length % 3);
            journal.apply(slot, JournalMachine.appendCommand(data));
        }
        JournalMachine copy = new JournalMachine();
        copy.restore(journal.snapshot());
        assertThat(copy.snapshot()).isEqualTo(journal.snapshot());
        assertThat(copy.size()).isEqualTo(appends.size());
    }

    private static byte[] append(String text) {
        return JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
    }
}
