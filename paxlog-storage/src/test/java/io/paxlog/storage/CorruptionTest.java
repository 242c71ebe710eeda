package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.memory.MemoryDisk;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damage on disk: every flipped bit is detected; damage before the last record refuses to start
 * (naming file and offset); damage in the last record is cut as an unfinished write, and only then.
 */
class CorruptionTest {

    private static final Epoch E1 = new Epoch(1, 1);
    private static final Epoch E2 = new Epoch(2, 1);
    private static final Command A = new Command(1, 1, new byte[] {1, 2, 3});
    private static final Command B = new Command(2, 1, new byte[] {4, 5});

    @ParameterizedTest(name = "preallocate {0}")
    @ValueSource(booleans = {false, true})
    void every_bit_flip_in_every_record_is_detected_and_only_the_last_record_is_cut(boolean preallocate)
            throws Exception {
        WalConfig config = Logs.config(512, preallocate);
        MemoryDisk base = logOfSeveralSegments(config);
        List<Logs.Placed> layout = Logs.layout(base);
        assertThat(layout.stream().map(Logs.Placed::file).distinct().count()).isGreaterThanOrEqualTo(3);
        Logs.Placed tail = layout.get(layout.size() - 1);
        List<WalRecord> records = layout.stream().map(Logs.Placed::record).toList();
        RecoveredState withoutTail = ReplayModel.prefixes(RecoveredState.EMPTY, records).get(records.size() - 1);

        int refused = 0;
        int cut = 0;
        for (Logs.Placed placed : layout) {
            for (int bit = 0; bit < placed.length() * 8; bit++) {
                MemoryDisk trial = base.copy();
                flip(trial, placed.file(), placed.offset() * 8 + bit);
                if (placed.equals(tail)) {
                    try (WalStorage wal = Logs.manual(trial, config)) {
                        assertThat(wal.recover()).isEqualTo(withoutTail);
                        RecoveryReport report = wal.recoveryReport();
                        assertThat(report.tornFile()).isEqualTo(tail.file());
                        assertThat(report.tornOffset()).isEqualTo(tail.offset());
                        assertThat(report.repaired()).isTrue();
                    }
                    // The cut is on disk: the next start finds a clean log.
                    try (WalStorage again = Logs.manual(trial, config)) {
                        assertThat(again.recover()).isEqualTo(withoutTail);
                        assertThat(again.recoveryReport().tornFile()).isNull();
                    }
                    cut++;
                } else {
                    assertRefused(trial, config, placed.file(), placed.offset());
                    refused++;
                }
            }
        }
        assertThat(cut).isEqualTo(tail.length() * 8);
        assertThat(refused).isGreaterThan(1000);
    }

    @ParameterizedTest(name = "preallocate {0}")
    @ValueSource(booleans = {false, true})
    void every_bit_flip_in_a_segment_header_refuses_to_start(boolean preallocate) throws Exception {
        WalConfig config = Logs.config(512, preallocate);
        MemoryDisk base = logOfSeveralSegments(config);
        for (String name : base.list()) {
            for (int bit = 0; bit < SegmentHeader.BYTES * 8; bit++) {
                MemoryDisk trial = base.copy();
                flip(trial, "mem:" + name, bit);
                assertRefused(trial, config, "mem:" + name, 0);
            }
        }
    }

    @Test
    void a_missing_segment_refuses_to_start_naming_the_gap() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = logOfSeveralSegments(config);
        disk.delete(SegmentNames.name(2));

        assertThatThrownBy(() -> Logs.recoverOnce(disk, config))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("mem:" + SegmentNames.name(3))
                .hasMessageContaining("segment 2 is missing before this one");
    }

    @Test
    void a_missing_first_segment_refuses_to_start() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = logOfSeveralSegments(config);
        disk.delete(SegmentNames.name(1));

        assertThatThrownBy(() -> Logs.recoverOnce(disk, config))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("segment 1 is missing before this one");
    }

    @Test
    void segments_of_another_cluster_or_server_refuse_to_start() {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = logOfSeveralSegments(config);

        WalConfig otherCluster = new WalConfig(new SegmentIdentity("other", 1), 512, false, 16, 1 << 20, 4096);
        assertThatThrownBy(() -> Logs.recoverOnce(disk, otherCluster))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("segment written by cluster test-cluster server 1, but this is cluster other server 1")
                .hasMessageContaining("check the data directory");
        WalConfig otherServer = new WalConfig(new SegmentIdentity("test-cluster", 2), 512, false, 16, 1 << 20, 4096);
        assertThatThrownBy(() -> Logs.recoverOnce(disk, otherServer))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("but this is cluster test-cluster server 2");
    }

    @Test
    void a_renamed_segment_refuses_to_start() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = logOfSeveralSegments(config);
        byte[] first = disk.contents(SegmentNames.name(1));
        disk.replaceContents(SegmentNames.name(1), disk.contents(SegmentNames.name(2)));
        disk.replaceContents(SegmentNames.name(2), first);

        assertThatThrownBy(() -> Logs.recoverOnce(disk, config))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("the header says segment 2 but the file name says 1");
    }

    @Test
    void another_format_version_refuses_to_start_and_is_never_removed_even_as_an_empty_last_segment() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = new MemoryDisk();
        Logs.put(disk, SegmentNames.name(1), SegmentHeaderTest.withVersion(2));

        assertThatThrownBy(() -> Logs.recoverOnce(disk, config))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("unknown format version 2")
                .hasMessageContaining("run the paxlog version that wrote it");
        assertThat(disk.list()).containsExactly(SegmentNames.name(1));
    }

    @Test
    void a_snapshot_marker_refuses_to_start_because_this_build_cannot_load_snapshots() {
        MemoryDisk disk = new MemoryDisk();
        Logs.put(disk, SegmentNames.name(1), Logs.segment(1, Logs.ID,
                new WalRecord.Promise(E1), new WalRecord.SnapshotMarker(10, E1)));

        assertThatThrownBy(() -> Logs.recoverOnce(disk, Logs.config(512, false)))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("snapshot marker for slot 10");
    }

    @Test
    void records_that_break_the_rules_of_the_log_refuse_to_start() {
        assertBroken("promise went down from 2.1 to 1.1",
                new WalRecord.Promise(E2), new WalRecord.Promise(E1));
        assertBroken("entry for slot 1 at epoch 2.1 above the promise 1.1",
                new WalRecord.Promise(E1), entry(1, E2, A));
        assertBroken("finalize mark for slot 3, which holds no entry",
                new WalRecord.Promise(E1), entry(1, E1, A), new WalRecord.Finalize(3));
        assertBroken("slot 1 is finalized with " + A + " but a later entry holds " + B,
                new WalRecord.Promise(E2), entry(1, E1, A), new WalRecord.Finalize(1), entry(1, E2, B));
    }

    @Test
    void a_finalized_slot_keeps_its_entry_when_the_same_command_is_stored_again() {
        MemoryDisk disk = new MemoryDisk();
        Logs.put(disk, SegmentNames.name(1), Logs.segment(1, Logs.ID, new WalRecord.Promise(E2),
                entry(1, E1, A), new WalRecord.Finalize(1), entry(1, E2, A), entry(2, E1, A), entry(2, E2, B)));

        RecoveredState state = Logs.recoverOnce(disk, Logs.config(512, false));

        assertThat(state.entries()).extracting(Object::toString)
                .containsExactly("1=" + A + "@1.1F", "2=" + B + "@2.1");
    }

    @Test
    void damage_followed_only_by_zeros_in_an_earlier_segment_is_not_taken_for_a_torn_write() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = logOfSeveralSegments(config);
        Logs.Placed last = lastRecordOf(Logs.layout(disk), "mem:" + SegmentNames.name(1));
        byte[] bytes = disk.contents(SegmentNames.name(1));
        Arrays.fill(bytes, (int) last.offset() + 5, bytes.length, (byte) 0);
        disk.replaceContents(SegmentNames.name(1), bytes);

        assertRefused(disk, config, last.file(), last.offset());
    }

    @Test
    void zeros_followed_by_a_valid_record_in_the_last_segment_refuse_to_start() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        byte[] full = Logs.segment(1, Logs.ID, new WalRecord.Promise(E1), entry(1, E1, A), entry(2, E1, B));
        int second = SegmentHeader.BYTES + RecordCodec.FRAME_BYTES;
        Arrays.fill(full, second, second + 10, (byte) 0); // zero the start of the first entry only
        Logs.put(disk, SegmentNames.name(1), full);

        assertThatThrownBy(() -> Logs.recoverOnce(disk, Logs.config(512, false)))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("at offset " + second)
                .hasMessageContaining("a valid record follows at offset");
    }

    @Test
    void garbage_after_the_clean_end_of_the_last_segment_is_cut() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        byte[] log = Logs.segment(1, Logs.ID, new WalRecord.Promise(E1), entry(1, E1, A));
        byte[] withGarbage = Arrays.copyOf(log, log.length + 300);
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        System.arraycopy(garbage, 0, withGarbage, log.length, garbage.length);
        Logs.put(disk, SegmentNames.name(1), withGarbage);

        try (WalStorage wal = Logs.manual(disk, Logs.config(512, false))) {
            assertThat(wal.recover().entries()).hasSize(1);
            assertThat(wal.recoveryReport().tornOffset()).isEqualTo(log.length);
            assertThat(wal.recoveryReport().tornBytes()).isEqualTo(300);
        }
        assertThat(disk.contents(SegmentNames.name(1))).isEqualTo(log);
    }

    @Test
    void an_unfinished_last_segment_without_records_is_removed_but_a_complete_empty_one_is_kept() throws Exception {
        WalConfig config = Logs.config(512, false);
        MemoryDisk disk = new MemoryDisk();
        Logs.put(disk, SegmentNames.name(1), Logs.segment(1, Logs.ID, new WalRecord.Promise(E1), entry(1, E1, A)));
        Logs.put(disk, SegmentNames.name(2), Arrays.copyOf(SegmentHeader.of(2, Logs.ID).encode().array(), 77));

        try (WalStorage wal = Logs.manual(disk, config)) {
            assertThat(wal.recover().entries()).hasSize(1);
            assertThat(wal.recoveryReport().removedSegment()).isEqualTo("mem:" + SegmentNames.name(2));
        }
        assertThat(disk.list()).containsExactly(SegmentNames.name(1));

        Logs.put(disk, SegmentNames.name(2), SegmentHeader.of(2, Logs.ID).encode().array());
        List<Long> durable = new ArrayList<>();
        try (WalStorage wal = Logs.manual(disk, config)) {
            wal.recover();
            assertThat(wal.recoveryReport().removedSegment()).isNull();
            wal.write(new PersistBatch(1, null, List.of(new StoredEntry(2, E1, B)), List.of()), durable::add);
            wal.commitPending();
        }
        assertThat(durable).containsExactly(1L);
        assertThat(Logs.recoverOnce(disk, config).entries()).hasSize(2);
        assertThat(disk.list()).containsExactly(SegmentNames.name(1), SegmentNames.name(2));
    }

    // ---- helpers ----

    private static WalRecord entry(long slot, Epoch epoch, Command command) {
        return new WalRecord.Entry(new StoredEntry(slot, epoch, command));
    }

    private static void assertBroken(String problem, WalRecord... records) {
        MemoryDisk disk = new MemoryDisk();
        Logs.put(disk, SegmentNames.name(1), Logs.segment(1, Logs.ID, records));
        assertThatThrownBy(() -> Logs.recoverOnce(disk, Logs.config(512, false)))
                .isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining(problem)
                .hasMessageContaining("refuses to start");
    }

    private static void assertRefused(MemoryDisk disk, WalConfig config, String file, long offset) {
        assertThatThrownBy(() -> Logs.recoverOnce(disk, config))
                .isInstanceOfSatisfying(WalCorruptedException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.offset()).isEqualTo(offset);
                });
    }

    private static void flip(MemoryDisk disk, String file, long bit) throws NoSuchFileException {
        String name = file.substring("mem:".length());
        byte[] bytes = disk.contents(name);
        bytes[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
        disk.replaceContents(name, bytes);
    }

    private static Logs.Placed lastRecordOf(List<Logs.Placed> layout, String file) {
        return layout.stream().filter(p -> p.file().equals(file)).reduce((a, b) -> b).orElseThrow();
    }

    /** A committed log spanning several small segments, ending with an entry record. */
    private static MemoryDisk logOfSeveralSegments(WalConfig config) {
        Random random = new Random(11);
        BatchMaker maker = new BatchMaker(random, RecoveredState.EMPTY, 6, 20);
        List<PersistBatch> batches = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            batches.add(maker.next());
        }
        batches.add(new PersistBatch(15, null, List.of(new StoredEntry(7, lastPromise(batches), A)), List.of()));
        MemoryDisk disk = new MemoryDisk();
        assertThat(Logs.writeAll(disk, config, batches)).hasSize(batches.size());
        return disk;
    }

    private static Epoch lastPromise(List<PersistBatch> batches) {
        Epoch promised = Epoch.ZERO;
        for (PersistBatch batch : batches) {
            if (batch.promised() != null) {
                promised = batch.promised();
            }
        }
        return promised;
    }
}
