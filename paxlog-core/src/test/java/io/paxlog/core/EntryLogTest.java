package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import org.junit.jupiter.api.Test;

/** The log's positions around compaction: what is finalized, what may be written, where the log resumes. */
class EntryLogTest {

    static final Epoch E = new Epoch(2, 1);

    private static Entry entry(long sequence, boolean finalized) {
        return new Entry(E, new Command(5, sequence, new byte[] {(byte) sequence}), finalized);
    }

    @Test
    void finalizingTheNextSlotAdvancesTheFirstUnfinalizedSlotPastEveryFinalizedOne() {
        EntryLog log = new EntryLog();
        log.put(2, entry(2, true));
        log.put(3, entry(3, false));
        assertThat(log.firstUnfinalizedSlot()).isEqualTo(1);
        log.put(1, entry(1, true));
        assertThat(log.firstUnfinalizedSlot()).as("1 and 2 are finalized, 3 is not").isEqualTo(3);
        assertThat(log.lastUsedSlot()).isEqualTo(3);
    }

    @Test
    void compactingMovesTheBaseAndResumesAboveEveryFinalizedEntryAboveIt() {
        EntryLog log = new EntryLog();
        log.put(1, entry(1, true));
        log.put(3, entry(3, true)); // finalized above a hole at 2
        log.put(4, entry(4, true));
        log.put(6, entry(6, false));
        assertThat(log.firstUnfinalizedSlot()).isEqualTo(2);

        log.compactThrough(2); // a snapshot covering the hole
        assertThat(log.snapshotSlot()).isEqualTo(2);
        assertThat(log.firstUnfinalizedSlot()).as("3 and 4 were finalized already").isEqualTo(5);
        assertThat(log.get(1)).isNull();
        assertThat(log.get(3)).isEqualTo(entry(3, true));
        assertThat(log.size()).as("slots 3..6 stay in memory").isEqualTo(4);
        assertThat(log.lastUsedSlot()).isEqualTo(6);
    }

    @Test
    void compactedSlotsAreFinalizedAndCannotBeWrittenAgain() {
        EntryLog log = new EntryLog();
        log.put(1, entry(1, true));
        log.put(2, entry(2, true));
        log.compactThrough(2);
        assertThat(log.isFinalized(0)).as("there is no slot 0").isFalse();
        assertThat(log.isFinalized(2)).isTrue();
        assertThat(log.isCompacted(2)).isTrue();
        assertThat(log.isCompacted(3)).isFalse();
        assertThat(log.isFinalized(3)).as("empty above the snapshot").isFalse();
        assertThatThrownBy(() -> log.put(2, entry(2, true))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("compacted");
        log.put(3, entry(3, false)); // the first slot above the snapshot is writable
        assertThat(log.get(3)).isEqualTo(entry(3, false));
    }

    @Test
    void compactingAgainAtOrBelowTheBaseChangesNothing() {
        EntryLog log = new EntryLog();
        for (long slot = 1; slot <= 4; slot++) {
            log.put(slot, entry(slot, true));
        }
        log.compactThrough(3);
        log.compactThrough(3);
        log.compactThrough(1);
        assertThat(log.snapshotSlot()).isEqualTo(3);
        assertThat(log.get(4)).isEqualTo(entry(4, true));
        assertThat(log.size()).isEqualTo(1);
    }

    @Test
    void aSnapshotAboveEverythingHeldLeavesAnEmptyLogThatResumesAboveIt() {
        EntryLog log = new EntryLog();
        log.put(1, entry(1, false));
        log.compactThrough(10); // installed from another server
        assertThat(log.size()).isZero();
        assertThat(log.lastUsedSlot()).isEqualTo(10);
        assertThat(log.firstUnfinalizedSlot()).isEqualTo(11);
        log.put(11, entry(11, true));
        assertThat(log.firstUnfinalizedSlot()).isEqualTo(12);
    }
}
