package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.memory.CrashMode;
import io.paxlog.storage.memory.DiskCrashedException;
import io.paxlog.storage.memory.MemoryDisk;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on the log's disk: saved durably before they are reported, old segments and snapshots
 * deleted only after, and recovery = newest valid snapshot + the log above it, through crashes at every
 * file operation, damaged snapshot files and compacted logs.
 */
class SnapshotStoreTest {

    private static final WalConfig SMALL_SEGMENTS = Logs.config(512, false);
    private static final Epoch EPOCH = new Epoch(3, 1);

    /** Batch {@code id} stores slot {@code id} (the first also promises) and finalizes the slot before it. */
    private static PersistBatch batch(long id, long slot) {
        Command command = new Command(1, slot, ("command " + slot).getBytes());
        return new PersistBatch(id, id == 1 ? EPOCH : null, List.of(new StoredEntry(slot, EPOCH, command)),
                slot > 1 ? List.of(slot - 1) : List.of());
    }

    private static Snapshot snapshot(long slot) {
        byte[] data = new byte[40 + (int) slot];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (slot * 7 + i);
        }
        return new Snapshot(slot, data);
    }

    /** The model's state after {@code slots} batches, keeping only slots above {@code floor}. */
    private static RecoveredState model(long slots, long floor) {
        ReplayModel model = ReplayModel.of(RecoveredState.EMPTY);
        for (long slot = 1; slot <= slots; slot++) {
            model.apply(batch(slot, slot));
        }
        return above(model.state(), floor);
    }

    /** The model after each prefix of the records of batches 1..48. */
    private static final List<RecoveredState> RECORD_PREFIXES;

    static {
        List<WalRecord> records = new ArrayList<>();
        for (long slot = 1; slot <= 48; slot++) {
            records.addAll(BatchSequence.records(batch(slot, slot)));
        }
        RECORD_PREFIXES = ReplayModel.prefixes(RecoveredState.EMPTY, records);
    }

    private static RecoveredState above(RecoveredState state, long floor) {
        return new RecoveredState(state.promised(),
                state.entries().stream().filter(e -> e.slot() > floor).toList(), floor > 0 ? snapshot(floor) : null);
    }

    private static List<String> segments(MemoryDisk disk) {
        return disk.list().stream().filter(n -> SegmentNames.index(n) > 0).toList();
    }

    private static List<String> snapshotFiles(MemoryDisk disk) {
        return disk.list().stream().filter(n -> n.startsWith("snapshot-")).toList();
    }

    /** Writes slots {@code from..to} as batches with ids from 1 in a fresh run, then commits. */
    private static void writeSlots(WalStorage wal, long firstId, long from, long to) {
        long id = firstId;
        for (long slot = from; slot <= to; slot++) {
            wal.write(batch(id++, slot), b -> {});
        }
        wal.commitPending();
    }

    @Test
    void a_saved_snapshot_is_reported_durable_and_recovered_with_the_log_above_it() {
        MemoryDisk disk = new MemoryDisk();
        List<Long> durable = new ArrayList<>();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            assertThat(wal.newestSnapshot()).isEmpty();
            for (long slot = 1; slot <= 40; slot++) {
                wal.write(batch(slot, slot), b -> {});
            }
            wal.saveSnapshot(snapshot(25), durable::add);
            assertThat(durable).as("nothing durable before the commit step").isEmpty();
            wal.commitPending();
            assertThat(durable).containsExactly(25L);
            assertThat(wal.newestSnapshot()).contains(snapshot(25));
        }
        assertThat(snapshotFiles(disk)).containsExactly(SnapshotFiles.name(25));
        assertThat(segments(disk).get(0)).as("compaction deleted the first segments").isNotEqualTo(SegmentNames.name(1));

        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            RecoveredState state = wal.recover();
            assertThat(wal.newestSnapshot()).contains(snapshot(25));
            assertThat(state).isEqualTo(model(40, 25));
            assertThat(state.promised()).as("the promise survives compaction").isEqualTo(EPOCH);
            assertThat(wal.passedOverSnapshots()).isEmpty();
        }
    }

    /**
     * A crash right after a new segment's header was written leaves a segment without its opening
     * promise. Recovery must write the promise into it before compaction deletes the segments that
     * hold it (found by the simulator: the promise came back as 0 and the log refused to start).
     */
    @Test
    void the_promise_survives_compaction_when_the_newest_segment_was_cut_right_after_its_header() {
        MemoryDisk disk = new MemoryDisk();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            writeSlots(wal, 1, 1, 20);
        }
        List<String> before = segments(disk);
        long next = SegmentNames.index(before.get(before.size() - 1)) + 1;
        Logs.put(disk, SegmentNames.name(next), Logs.segment(next, Logs.ID));
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            assertThat(wal.recover().promised()).isEqualTo(EPOCH);
            wal.saveSnapshot(snapshot(20), b -> {});
            wal.commitPending();
            assertThat(segments(disk)).as("only the header-only segment is left").containsExactly(SegmentNames.name(next));
        }
        RecoveredState state = Logs.recoverOnce(disk, SMALL_SEGMENTS);
        assertThat(state.promised()).isEqualTo(EPOCH);
        assertThat(state).isEqualTo(model(20, 20));
    }

    @Test
    void a_newer_snapshot_replaces_the_older_and_compacts_further() {
        MemoryDisk disk = new MemoryDisk();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            writeSlots(wal, 1, 1, 20);
            wal.saveSnapshot(snapshot(10), b -> {});
            wal.commitPending();
            List<String> afterFirst = segments(disk);
            writeSlots(wal, 21, 21, 40);
            wal.saveSnapshot(snapshot(35), b -> {});
            wal.commitPending();
            assertThat(snapshotFiles(disk)).containsExactly(SnapshotFiles.name(35));
            assertThat(segments(disk).get(0)).isGreaterThan(afterFirst.get(0));
            assertThatThrownBy(() -> wal.saveSnapshot(snapshot(35), b -> {}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not newer");
        }
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            assertThat(wal.recover()).isEqualTo(model(40, 35));
            assertThat(wal.newestSnapshot()).contains(snapshot(35));
            writeSlots(wal, 1, 41, 45);
        }
        assertThat(Logs.recoverOnce(disk, SMALL_SEGMENTS)).isEqualTo(model(45, 35));
    }

    @Test
    void the_snapshot_is_saved_after_the_batches_written_before_it_and_the_newest_segment_is_kept() {
        MemoryDisk disk = new MemoryDisk();
        List<String> order = new ArrayList<>();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            wal.write(batch(1, 1), id -> order.add("batch " + id));
            wal.write(batch(2, 2), id -> order.add("batch " + id));
            wal.saveSnapshot(snapshot(2), slot -> order.add("snapshot " + slot));
            wal.write(batch(3, 3), id -> order.add("batch " + id));
            assertThat(wal.commitPending()).isEqualTo(4);
            wal.saveSnapshot(snapshot(3), slot -> order.add("snapshot " + slot));
            wal.commitPending();
        }
        assertThat(order).containsExactly("batch 1", "batch 2", "snapshot 2", "batch 3", "snapshot 3");
        assertThat(segments(disk)).as("the segment the log goes on in is never deleted").hasSize(1);
        assertThat(Logs.recoverOnce(disk, SMALL_SEGMENTS)).isEqualTo(model(3, 3));
    }

    @Test
    void with_the_io_thread_the_snapshot_is_reported_from_that_thread_without_blocking_the_caller()
            throws Exception {
        MemoryDisk memory = new MemoryDisk();
        GatedLayer gated = new GatedLayer(memory);
        try (WalStorage wal = WalStorage.open(SMALL_SEGMENTS, gated, CommitMode.IO_THREAD, Logs.NO_FATAL)) {
            wal.recover();
            gated.hold();
            wal.write(batch(1, 1), b -> {});
            assertThat(gated.awaitForceWaiting()).isTrue();
            CompletableFuture<String> reported = new CompletableFuture<>();
            wal.saveSnapshot(snapshot(1), slot -> reported.complete(Thread.currentThread().getName() + "@" + slot));
            assertThat(reported).as("queued while the disk is held").isNotDone();
            gated.stopHolding();
            assertThat(reported.get(10, TimeUnit.SECONDS)).startsWith("paxlog-wal-io-").endsWith("@1");
            assertThat(wal.newestSnapshot()).contains(snapshot(1));
        }
    }

    @Test
    void snapshots_round_trip_on_a_real_directory(@TempDir Path directory) throws Exception {
        WalConfig config = WalConfig.defaults("real", 4).withSegmentBytes(512, false);
        try (WalStorage wal = WalStorage.open(directory, config)) {
            wal.recover();
            for (long slot = 1; slot <= 30; slot++) {
                wal.write(batch(slot, slot), b -> {});
            }
            CompletableFuture<Long> durable = new CompletableFuture<>();
            wal.saveSnapshot(snapshot(20), durable::complete);
            assertThat(durable.get(10, TimeUnit.SECONDS)).isEqualTo(20L);
        }
        assertThat(directory.resolve(SnapshotFiles.name(20))).exists();
        assertThat(directory.resolve(SegmentNames.name(1))).doesNotExist();
        try (WalStorage wal = WalStorage.open(directory, config)) {
            assertThat(wal.recover()).isEqualTo(model(30, 20));
            assertThat(wal.newestSnapshot()).contains(snapshot(20));
        }
        assertThat(Files.list(directory).map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
    }

    // ---- Crashes ----

    /** What a run got acknowledged before its disk crashed. */
    private record Progress(long ackedSlots, long writtenSlots, long ackedSnapshot) {}

    /**
     * Writes 1..20, snapshot 8, 21..40, snapshot 30, 41..48, committing after each step; stops where
     * the disk crashes.
     */
    private static Progress crashRun(MemoryDisk disk) {
        long[] acked = {0, 0};
        long written = 0;
        WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS);
        try {
            wal.recover();
            long[][] phases = {{1, 20, 8}, {21, 40, 30}, {41, 48, 0}};
            for (long[] phase : phases) {
                for (long slot = phase[0]; slot <= phase[1]; slot++) {
                    wal.write(batch(slot, slot), id -> acked[0] = Math.max(acked[0], id));
                    written = slot;
                }
                wal.commitPending();
                if (phase[2] > 0) {
                    wal.saveSnapshot(snapshot(phase[2]), slot -> acked[1] = slot);
                    wal.commitPending();
                }
            }
            wal.close();
        } catch (DiskCrashedException crashed) {
            // The process died here.
        }
        return new Progress(acked[0], written, acked[1]);
    }

    @Test
    void a_crash_at_every_file_operation_of_saving_and_compacting_recovers_the_old_or_the_new_state() {
        MemoryDisk reference = new MemoryDisk();
        Progress full = crashRun(reference);
        assertThat(full).isEqualTo(new Progress(48, 48, 30));
        long operations = reference.operationCount();
        int images = 0;
        for (long crashAt = 0; crashAt <= operations; crashAt++) {
            MemoryDisk disk = new MemoryDisk();
            disk.crashAtOperation(crashAt);
            Progress progress = crashRun(disk);
            int tearable = disk.unsyncedLastWriteLength();
            List<CrashMode> modes = new ArrayList<>(List.of(CrashMode.dropUnsynced(), CrashMode.processOnly()));
            if (tearable >= 0) {
                modes.add(CrashMode.tearLastWrite(0));
                modes.add(CrashMode.tearLastWrite(tearable / 2));
                modes.add(CrashMode.tearLastWriteWithGarbage(tearable / 3, crashAt));
            }
            for (CrashMode mode : modes) {
                checkAfterCrash(disk.crash(mode), progress, "crash before operation " + crashAt + ", " + mode);
                images++;
            }
        }
        assertThat(images).isGreaterThan((int) operations * 2);
    }

    private static void checkAfterCrash(MemoryDisk image, Progress progress, String situation) {
        try (WalStorage wal = Logs.manual(image, SMALL_SEGMENTS)) {
            RecoveredState state = wal.recover();
            long floor = wal.newestSnapshot().map(Snapshot::slot).orElse(0L);
            assertThat(floor).as(situation + ": a snapshot that was saved").isIn(0L, 8L, 30L);
            assertThat(floor).as(situation + ": an acknowledged snapshot is kept").isGreaterThanOrEqualTo(progress.ackedSnapshot());
            if (floor > 0) {
                assertThat(wal.newestSnapshot()).as(situation).contains(snapshot(floor));
            }
            assertThat(wal.passedOverSnapshots()).as(situation + ": no snapshot file is ever broken").isEmpty();
            // A torn write may keep part of a batch, so any record prefix between the acknowledged batches
            // and the written ones is a correct outcome (every batch here is two records).
            boolean matches = false;
            for (long r = 2 * progress.ackedSlots(); r <= 2 * progress.writtenSlots() && !matches; r++) {
                matches = above(RECORD_PREFIXES.get((int) r), floor).equals(state);
            }
            if (!matches) {
                fail(situation + ": recovered " + state + " is not the log of " + progress.ackedSlots() + ".."
                        + progress.writtenSlots() + " slots above the snapshot at " + floor);
            }
            assertThat(image.list()).as(situation + ": temp files are removed").noneMatch(n -> n.endsWith(".tmp"));
        } catch (WalCorruptedException e) {
            fail(situation + ": recovery refused: " + e.getMessage(), e);
        }
    }

    // ---- Damaged snapshot files ----

    /** A disk with slots 1..40 and a snapshot at 25 that compacted the log. */
    private static MemoryDisk compactedDisk() {
        MemoryDisk disk = new MemoryDisk();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            writeSlots(wal, 1, 1, 40);
            wal.saveSnapshot(snapshot(25), b -> {});
            wal.commitPending();
        }
        return disk;
    }

    @Test
    void every_flipped_bit_of_a_snapshot_file_is_detected_and_refused_when_the_log_it_covers_is_gone()
            throws Exception {
        MemoryDisk original = compactedDisk();
        String name = SnapshotFiles.name(25);
        byte[] clean = original.contents(name);
        int checked = 0;
        for (int offset = 0; offset < clean.length; offset++) {
            boolean headerOrChecksum = offset < SnapshotFiles.HEADER_BYTES
                    || offset >= clean.length - SnapshotFiles.TRAILER_BYTES;
            for (int bit = 0; bit < 8; bit += headerOrChecksum ? 1 : 8) {
                MemoryDisk disk = original.copy();
                byte[] flipped = clean.clone();
                flipped[offset] ^= (byte) (1 << bit);
                disk.replaceContents(name, flipped);
                int at = offset;
                assertThatThrownBy(() -> Logs.recoverOnce(disk, SMALL_SEGMENTS))
                        .as("flip at offset %d bit %d", at, bit)
                        .isInstanceOfSatisfying(WalCorruptedException.class, e -> {
                            assertThat(e.file()).isEqualTo("mem:" + name);
                            assertThat(e.problem()).contains("newest snapshot does not verify")
                                    .contains("already deleted");
                            assertThat(e.getMessage()).contains("Keep this server stopped");
                        });
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(SnapshotFiles.HEADER_BYTES * 8);
    }

    @Test
    void a_snapshot_file_cut_at_any_length_is_detected() throws Exception {
        MemoryDisk original = compactedDisk();
        String name = SnapshotFiles.name(25);
        byte[] clean = original.contents(name);
        for (int length = 0; length < clean.length; length++) {
            MemoryDisk disk = original.copy();
            disk.replaceContents(name, java.util.Arrays.copyOf(clean, length));
            assertThatThrownBy(() -> Logs.recoverOnce(disk, SMALL_SEGMENTS))
                    .isInstanceOf(WalCorruptedException.class).hasMessageContaining(name);
        }
    }

    @Test
    void a_damaged_snapshot_whose_log_is_complete_falls_back_to_the_whole_log() throws Exception {
        WalConfig bigSegments = Logs.config(1 << 16, false);
        MemoryDisk disk = new MemoryDisk();
        try (WalStorage wal = Logs.manual(disk, bigSegments)) {
            wal.recover();
            writeSlots(wal, 1, 1, 30);
            wal.saveSnapshot(snapshot(20), b -> {});
            wal.commitPending();
        }
        assertThat(segments(disk)).containsExactly(SegmentNames.name(1));
        String name = SnapshotFiles.name(20);
        byte[] damaged = disk.contents(name);
        damaged[SnapshotFiles.SLOT_AT + 7] ^= 1;
        disk.replaceContents(name, damaged);
        try (WalStorage wal = Logs.manual(disk, bigSegments)) {
            assertThat(wal.recover()).isEqualTo(model(30, 0));
            assertThat(wal.newestSnapshot()).isEmpty();
            assertThat(wal.passedOverSnapshots()).singleElement().asString().contains(name).contains("checksum");
        }
    }

    @Test
    void a_damaged_newest_snapshot_falls_back_to_an_older_one_still_on_disk() throws Exception {
        // The moment the newer snapshot is reported durable, the older file and its segments still exist.
        MemoryDisk disk = new MemoryDisk();
        MemoryDisk[] atReport = new MemoryDisk[1];
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            writeSlots(wal, 1, 1, 20);
            wal.saveSnapshot(snapshot(10), b -> {});
            wal.commitPending();
            writeSlots(wal, 21, 21, 40);
            wal.saveSnapshot(snapshot(30), slot -> atReport[0] = disk.copy());
            wal.commitPending();
        }
        MemoryDisk image = atReport[0];
        assertThat(snapshotFiles(image)).containsExactly(SnapshotFiles.name(10), SnapshotFiles.name(30));
        byte[] damaged = image.contents(SnapshotFiles.name(30));
        damaged[damaged.length - 1] ^= 0x40;
        image.replaceContents(SnapshotFiles.name(30), damaged);
        try (WalStorage wal = Logs.manual(image, SMALL_SEGMENTS)) {
            assertThat(wal.recover()).isEqualTo(model(40, 10));
            assertThat(wal.newestSnapshot()).contains(snapshot(10));
            assertThat(wal.passedOverSnapshots()).hasSize(1);
        }
    }

    @Test
    void a_valid_snapshot_from_another_server_is_refused() throws Exception {
        MemoryDisk disk = compactedDisk();
        WalConfig other = new WalConfig(new SegmentIdentity("test-cluster", 2), 512, false, 1 << 16, 256L << 20, 4096);
        assertThatThrownBy(() -> Logs.recoverOnce(disk, other)).isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("snapshot written by cluster test-cluster server 1");
    }

    // ---- Temp files and compacted logs ----

    @Test
    void a_temp_file_left_by_a_crash_is_deleted_on_start() throws Exception {
        MemoryDisk disk = compactedDisk();
        Logs.put(disk, SnapshotFiles.tempName(39), new byte[] {1, 2, 3});
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            assertThat(wal.recover()).isEqualTo(model(40, 25));
            assertThat(wal.newestSnapshot()).contains(snapshot(25));
        }
        assertThat(disk.list()).doesNotContain(SnapshotFiles.tempName(39));
        MemoryDisk afterPowerLoss = disk.crash(CrashMode.dropUnsynced());
        assertThat(afterPowerLoss.list()).as("the deletion was made durable").doesNotContain(SnapshotFiles.tempName(39));
    }

    @Test
    void a_log_without_its_first_segment_and_without_a_snapshot_is_refused() throws Exception {
        MemoryDisk disk = compactedDisk();
        disk.delete(SnapshotFiles.name(25));
        String first = segments(disk).get(0);
        assertThatThrownBy(() -> Logs.recoverOnce(disk, SMALL_SEGMENTS))
                .isInstanceOfSatisfying(WalCorruptedException.class, e -> {
                    assertThat(e.file()).isEqualTo("mem:" + first);
                    assertThat(e.problem()).contains("segment").contains("no snapshot covers them");
                });
    }

    @Test
    void a_gap_after_the_first_remaining_segment_is_still_refused() throws Exception {
        MemoryDisk disk = compactedDisk();
        List<String> segments = segments(disk);
        assertThat(segments.size()).isGreaterThan(2);
        disk.delete(segments.get(1));
        assertThatThrownBy(() -> Logs.recoverOnce(disk, SMALL_SEGMENTS))
                .isInstanceOf(WalCorruptedException.class).hasMessageContaining("is missing before this one");
    }

    @Test
    void marks_at_or_below_the_snapshot_whose_entries_went_with_a_deleted_segment_are_ignored() throws Exception {
        // Segment 1 held slots 1 and 2; their finalize marks landed in segment 2, with slot 3.
        MemoryDisk disk = new MemoryDisk();
        Command c = new Command(1, 1, new byte[] {1});
        Logs.put(disk, SegmentNames.name(2), Logs.segment(2, Logs.ID,
                new WalRecord.Promise(EPOCH), new WalRecord.Finalize(1), new WalRecord.Finalize(2),
                new WalRecord.Entry(new StoredEntry(3, EPOCH, c))));
        assertThatThrownBy(() -> Logs.recoverOnce(disk, SMALL_SEGMENTS)).isInstanceOf(WalCorruptedException.class)
                .hasMessageContaining("segment 1 is missing");
        new SnapshotFiles(disk, Logs.ID).save(new Snapshot(2, new byte[] {42}));
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            RecoveredState state = wal.recover();
            assertThat(state.entries()).containsExactly(new SlotState(3, EPOCH, c, false));
            assertThat(state.promised()).isEqualTo(EPOCH);
        }
    }

    @Test
    void a_kept_segment_returns_only_its_slots_above_the_snapshot() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        Command c = new Command(1, 1, new byte[] {1});
        Logs.put(disk, SegmentNames.name(1), Logs.segment(1, Logs.ID,
                new WalRecord.Promise(EPOCH),
                new WalRecord.Entry(new StoredEntry(1, EPOCH, c)),
                new WalRecord.Entry(new StoredEntry(2, EPOCH, c)),
                new WalRecord.Finalize(2),
                new WalRecord.Entry(new StoredEntry(3, EPOCH, c))));
        new SnapshotFiles(disk, Logs.ID).save(new Snapshot(2, new byte[] {42}));
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            assertThat(wal.recover().entries()).containsExactly(new SlotState(3, EPOCH, c, false));
        }
    }

    @Test
    void the_header_layout_puts_every_field_where_the_javadoc_says() {
        ByteBuffer header = SnapshotFiles.header(1, 77, 5, Logs.ID);
        assertThat(header.getLong(0)).isEqualTo(SnapshotFiles.MAGIC);
        assertThat(header.getInt(SnapshotFiles.VERSION_AT)).isEqualTo(1);
        assertThat(header.getInt(SnapshotFiles.LENGTH_AT)).isEqualTo(128);
        assertThat(header.getLong(SnapshotFiles.SLOT_AT)).isEqualTo(77);
        assertThat(header.getLong(SnapshotFiles.DATA_LENGTH_AT)).isEqualTo(5);
        assertThat(header.getInt(SnapshotFiles.SERVER_AT)).isEqualTo(1);
        assertThat(header.getShort(SnapshotFiles.CLUSTER_LENGTH_AT)).isEqualTo((short) "test-cluster".length());
    }

    @Test
    void a_version_2_file_ends_with_the_data_length_and_a_checksum_of_everything_before() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        Snapshot snapshot = snapshot(9);
        new SnapshotFiles(disk, Logs.ID).save(snapshot);
        byte[] file = disk.contents(SnapshotFiles.name(9));
        ByteBuffer in = ByteBuffer.wrap(file);
        int n = snapshot.data().length;
        assertThat(file).hasSize(SnapshotFiles.HEADER_BYTES + n + SnapshotFiles.TRAILER_BYTES);
        assertThat(in.getInt(SnapshotFiles.VERSION_AT)).isEqualTo(2);
        assertThat(in.getLong(SnapshotFiles.DATA_LENGTH_AT)).as("the length moved to the trailer").isZero();
        assertThat(java.util.Arrays.copyOfRange(file, SnapshotFiles.HEADER_BYTES, SnapshotFiles.HEADER_BYTES + n))
                .isEqualTo(snapshot.data());
        assertThat(in.getLong(SnapshotFiles.HEADER_BYTES + n)).isEqualTo(n);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(file, 0, file.length - SnapshotFiles.CHECKSUM_BYTES);
        assertThat(in.getInt(file.length - SnapshotFiles.CHECKSUM_BYTES)).isEqualTo((int) crc.getValue());
    }

    @Test
    void a_version_1_snapshot_file_is_still_recovered() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        Snapshot snapshot = snapshot(2);
        ByteBuffer header = SnapshotFiles.header(1, 2, snapshot.data().length, Logs.ID);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header.array());
        crc.update(snapshot.data());
        ByteBuffer file = ByteBuffer.allocate(SnapshotFiles.HEADER_BYTES + snapshot.data().length + 4)
                .put(header.array()).put(snapshot.data()).putInt((int) crc.getValue());
        Logs.put(disk, SnapshotFiles.name(2), file.array());
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            assertThat(wal.recover().snapshot()).isEqualTo(snapshot);
        }
    }

    @Test
    void a_view_is_written_by_the_io_thread_after_the_call_returned_and_read_back_as_the_newest() throws Exception {
        MemoryDisk memory = new MemoryDisk();
        try (WalStorage wal = WalStorage.open(SMALL_SEGMENTS, memory, CommitMode.IO_THREAD, Logs.NO_FATAL)) {
            wal.recover();
            java.util.concurrent.CountDownLatch mayWrite = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<String> writtenBy = new CompletableFuture<>();
            CompletableFuture<Long> durable = new CompletableFuture<>();
            byte[] state = snapshot(3).data();
            wal.saveSnapshot(3, out -> {
                writtenBy.complete(Thread.currentThread().getName());
                try {
                    mayWrite.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                for (int i = 0; i < state.length; i += 7) { // in pieces, as a machine writes
                    out.write(state, i, Math.min(7, state.length - i));
                }
            }, durable::complete);
            assertThat(writtenBy.get(10, TimeUnit.SECONDS)).startsWith("paxlog-wal-io-");
            assertThat(durable).as("not durable while the view is still being written").isNotDone();
            mayWrite.countDown();
            assertThat(durable.get(10, TimeUnit.SECONDS)).isEqualTo(3L);
            assertThat(wal.newestSnapshot()).contains(snapshot(3));
        }
        try (WalStorage wal = Logs.manual(memory, SMALL_SEGMENTS)) {
            assertThat(wal.recover().snapshot()).isEqualTo(snapshot(3));
        }
    }

    @Test
    void a_view_that_fails_while_writing_stops_the_log_and_is_never_reported() {
        MemoryDisk disk = new MemoryDisk();
        List<Throwable> fatal = new ArrayList<>();
        try (WalStorage wal = WalStorage.open(SMALL_SEGMENTS, disk, CommitMode.MANUAL, fatal::add)) {
            wal.recover();
            List<Long> durable = new ArrayList<>();
            wal.saveSnapshot(4, out -> {
                out.write(new byte[] {1, 2, 3});
                throw new java.io.IOException("the disk went away mid-snapshot");
            }, durable::add);
            wal.commitPending();
            assertThat(durable).isEmpty();
            assertThat(fatal).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("slot 4"));
        }
        assertThat(snapshotFiles(disk)).as("only a temp file is left, which recovery deletes")
                .allMatch(SnapshotFiles::isTemp);
    }

    @Test
    void a_saved_view_is_served_from_its_file_in_pieces_until_a_newer_snapshot_deletes_it() {
        MemoryDisk disk = new MemoryDisk();
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            byte[] state = snapshot(5).data();
            wal.saveSnapshot(5, io.paxlog.api.SnapshotSource.of(state), slot -> {});
            wal.commitPending();
            io.paxlog.api.storage.SnapshotContent served = wal.newestContent().orElseThrow();
            assertThat(served).as("not read into memory").isNotInstanceOf(Snapshot.class);
            assertThat(served.slot()).isEqualTo(5);
            assertThat(served.size()).isEqualTo(state.length);
            assertThat(served.checksum()).as("of the data alone, as transfers check it")
                    .isEqualTo(snapshot(5).checksum());
            assertThat(served.read(3, 10)).isEqualTo(java.util.Arrays.copyOfRange(state, 3, 13));
            assertThat(served.read(0, state.length)).isEqualTo(state);
            assertThatThrownBy(() -> served.read(state.length - 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(wal.newestSnapshot()).as("read whole on request").contains(snapshot(5));

            wal.saveSnapshot(snapshot(9), slot -> {});
            wal.commitPending();
            assertThat(wal.newestContent()).contains(snapshot(9));
            assertThatThrownBy(() -> served.read(0, 4)).as("its file was deleted")
                    .isInstanceOf(java.io.UncheckedIOException.class);
        }
    }

    // ---- Large snapshots: the batches behind one are committed while it is written ----

    /** A snapshot of three and a half writes of the sink, so that batches are committed between its writes. */
    private static Snapshot large(long slot) {
        byte[] data = new byte[3 * (1 << 20) + (1 << 19)];
        new java.util.SplittableRandom(slot).nextBytes(data);
        return new Snapshot(slot, data);
    }

    @Test
    void batches_queued_behind_a_large_snapshot_are_committed_and_reported_while_it_is_written() {
        MemoryDisk disk = new MemoryDisk();
        List<String> order = new ArrayList<>();
        Snapshot big = large(2);
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            wal.recover();
            wal.write(batch(1, 1), id -> order.add("batch " + id));
            wal.write(batch(2, 2), id -> order.add("batch " + id));
            wal.saveSnapshot(2, io.paxlog.api.SnapshotSource.of(big.data()), slot -> order.add("snapshot " + slot));
            wal.write(batch(3, 3), id -> order.add("batch " + id));
            wal.write(batch(4, 4), id -> order.add("batch " + id));
            assertThat(wal.commitPending()).as("every batch and the snapshot, counted once").isEqualTo(5);
        }
        assertThat(order).as("the batches before it first, those behind it before it is durable")
                .containsExactly("batch 1", "batch 2", "batch 3", "batch 4", "snapshot 2");
        try (WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS)) {
            RecoveredState state = wal.recover();
            assertThat(state.snapshot()).isEqualTo(big);
            assertThat(state.entries()).as("the slots above it, from the log").isEqualTo(model(4, 2).entries());
        }
    }

    /** Writes 1..10, then snapshot 6 (large) with 11..16 queued behind it, and commits; stops at a crash. */
    private static Progress largeCrashRun(MemoryDisk disk) {
        long[] acked = {0, 0};
        long written = 0;
        WalStorage wal = Logs.manual(disk, SMALL_SEGMENTS);
        try {
            wal.recover();
            for (long slot = 1; slot <= 10; slot++) {
                wal.write(batch(slot, slot), id -> acked[0] = Math.max(acked[0], id));
                written = slot;
            }
            wal.commitPending();
            wal.saveSnapshot(6, io.paxlog.api.SnapshotSource.of(large(6).data()), slot -> acked[1] = slot);
            for (long slot = 11; slot <= 16; slot++) {
                wal.write(batch(slot, slot), id -> acked[0] = Math.max(acked[0], id));
                written = slot;
            }
            wal.commitPending();
            wal.close();
        } catch (DiskCrashedException crashed) {
            // The process died here.
        }
        return new Progress(acked[0], written, acked[1]);
    }

    @Test
    void a_crash_at_every_file_operation_of_a_large_save_with_batches_committed_meanwhile_loses_nothing_acknowledged() {
        MemoryDisk reference = new MemoryDisk();
        assertThat(largeCrashRun(reference)).isEqualTo(new Progress(16, 16, 6));
        long operations = reference.operationCount();
        int checked = 0;
        for (long crashAt = 0; crashAt <= operations; crashAt++) {
            MemoryDisk disk = new MemoryDisk();
            disk.crashAtOperation(crashAt);
            Progress progress = largeCrashRun(disk);
            for (CrashMode mode : List.of(CrashMode.dropUnsynced(), CrashMode.processOnly())) {
                String situation = "crash before operation " + crashAt + ", " + mode;
                try (WalStorage wal = Logs.manual(disk.crash(mode), SMALL_SEGMENTS)) {
                    RecoveredState state = wal.recover();
                    long floor = state.snapshot() == null ? 0 : state.snapshot().slot();
                    assertThat(floor).as(situation).isIn(0L, 6L);
                    assertThat(floor).as(situation + ": an acknowledged snapshot is kept")
                            .isGreaterThanOrEqualTo(progress.ackedSnapshot());
                    if (floor == 6) {
                        assertThat(state.snapshot()).as(situation).isEqualTo(large(6));
                    }
                    boolean matches = false;
                    for (long r = 2 * progress.ackedSlots(); r <= 2 * progress.writtenSlots() && !matches; r++) {
                        RecoveredState prefix = RECORD_PREFIXES.get((int) r);
                        matches = new RecoveredState(prefix.promised(), prefix.entries().stream()
                                .filter(e -> e.slot() > floor).toList()).equals(
                                        new RecoveredState(state.promised(), state.entries()));
                    }
                    assertThat(matches).as(situation + ": recovered " + state.entries().size() + " entries above "
                            + floor + ", acknowledged through " + progress.ackedSlots()).isTrue();
                } catch (WalCorruptedException e) {
                    fail(situation + ": recovery refused: " + e.getMessage(), e);
                }
                checked++;
            }
        }
        assertThat(operations).as("the save's writes and the batches' commits interleave").isGreaterThan(20);
        assertThat(checked).isEqualTo(2 * (int) (operations + 1));
    }
}
