package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.memory.CrashMode;
import io.paxlog.storage.memory.DiskCrashedException;
import io.paxlog.storage.memory.MemoryDisk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Crashes the disk before every counted operation of a workload (writes, fsyncs, creates, directory
 * syncs, recovery's own repairs), then recovers from what a crash can leave: nothing unsynced,
 * everything with the last write torn at every byte (its rest old bytes, or garbage), or, when only
 * the process died, unsynced writes the next process reads but a power loss may still drop. Every time,
 * every batch reported durable must be recovered, and nothing beyond what was written: the recovered
 * state is the model after some prefix of the written records that covers all acknowledged ones.
 */
class CrashConsistencyTest {

    /** One step of the workload: write a batch, commit, or restart the log (recovery runs again). */
    private record Step(PersistBatch batch, boolean commit, boolean restart) {}

    /** What a run got done before the crash, counted in records of the script. */
    private record Progress(int ackedRecords, int writtenRecords) {}

    @ParameterizedTest(name = "seed {0}, segment {1} bytes, preallocate {2}")
    @CsvSource({"1, 512, false", "2, 512, true", "3, 4096, false", "4, 300, true"})
    void every_acknowledged_write_survives_a_crash_at_every_boundary(long seed, long segmentBytes, boolean preallocate) {
        WalConfig config = Logs.config(segmentBytes, preallocate);
        List<Step> script = script(new Random(seed), 24);
        List<WalRecord> records = new ArrayList<>();
        for (Step step : script) {
            if (step.batch() != null) {
                records.addAll(BatchSequence.records(step.batch()));
            }
        }
        List<RecoveredState> prefixes = ReplayModel.prefixes(RecoveredState.EMPTY, records);

        MemoryDisk reference = new MemoryDisk();
        run(reference, config, script);
        long operations = reference.operationCount();
        assertThat(Logs.recoverOnce(reference, config)).isEqualTo(prefixes.get(records.size()));

        int images = 0;
        for (long crashAt = 0; crashAt <= operations; crashAt++) {
            MemoryDisk disk = new MemoryDisk();
            disk.crashAtOperation(crashAt);
            Progress progress = run(disk, config, script);
            int tearable = disk.unsyncedLastWriteLength();

            images += check(disk.crash(CrashMode.dropUnsynced()), config, progress, prefixes, true);
            images += checkProcessCrash(disk.crash(CrashMode.processOnly()), config, progress, prefixes);
            for (int kept = 0; kept <= tearable; kept++) {
                images += check(disk.crash(CrashMode.tearLastWrite(kept)), config, progress, prefixes,
                        kept == tearable / 2);
                images += check(disk.crash(CrashMode.tearLastWriteWithGarbage(kept, seed * 31 + kept)), config,
                        progress, prefixes, false);
            }
        }
        assertThat(images).isGreaterThan((int) operations * 2);
    }

    /**
     * After only the process died, recovery reads writes the OS still holds unsynced. The core may answer
     * from what it recovered at once, so a power loss right after recovery must not take any of it back.
     */
    private static int checkProcessCrash(MemoryDisk image, WalConfig config, Progress progress,
            List<RecoveredState> prefixes) {
        check(image, config, progress, prefixes, false);
        RecoveredState seen = Logs.recoverOnce(image, config);
        assertThat(Logs.recoverOnce(image.crash(CrashMode.dropUnsynced()), config))
                .as("state after a power loss right after recovery").isEqualTo(seen);
        return 1;
    }

    /** Recovers {@code image} and checks it; with {@code extend}, also that the log keeps working. */
    private static int check(MemoryDisk image, WalConfig config, Progress progress, List<RecoveredState> prefixes,
            boolean extend) {
        RecoveredState state;
        try (WalStorage wal = Logs.manual(image, config)) {
            state = wal.recover();
            boolean matches = false;
            for (int r = progress.ackedRecords(); r <= progress.writtenRecords() && !matches; r++) {
                matches = prefixes.get(r).equals(state);
            }
            if (!matches) {
                fail("recovered " + state + " is not the model after any prefix of " + progress.ackedRecords()
                        + ".." + progress.writtenRecords() + " records; acknowledged prefix: "
                        + prefixes.get(progress.ackedRecords()));
            }
            if (!extend) {
                return 1;
            }
            Epoch next = new Epoch(state.promised().round() + 1, 2);
            Command command = new Command(9, 9, new byte[] {9});
            List<Long> durable = new ArrayList<>();
            wal.write(new PersistBatch(1, next, List.of(new StoredEntry(99, next, command)), List.of(99L)),
                    durable::add);
            wal.commitPending();
            assertThat(durable).containsExactly(1L);
        }
        RecoveredState again = Logs.recoverOnce(image, config);
        assertThat(again.promised()).isEqualTo(new Epoch(state.promised().round() + 1, 2));
        assertThat(again.entries()).hasSize(state.entries().size() + (state.entries().stream()
                .anyMatch(e -> e.slot() == 99) ? 0 : 1));
        return 1;
    }

    /** Runs the script until it ends or the disk crashes. */
    private static Progress run(MemoryDisk disk, WalConfig config, List<Step> script) {
        int written = 0;
        int acked = 0;
        // Per batch of the current run (ids count from 1 in each run): script records through it.
        List<Integer> recordsThrough = new ArrayList<>();
        List<Long> durable = new ArrayList<>();
        WalStorage wal = Logs.manual(disk, config);
        try {
            wal.recover();
            for (Step step : script) {
                if (step.batch() != null) {
                    wal.write(step.batch(), durable::add);
                    written += BatchSequence.records(step.batch()).size();
                    recordsThrough.add(written);
                } else if (step.commit()) {
                    wal.commitPending();
                    if (!durable.isEmpty()) {
                        acked = recordsThrough.get(durable.get(durable.size() - 1).intValue() - 1);
                    }
                } else {
                    wal.close();
                    wal = Logs.manual(disk, config);
                    wal.recover();
                    durable.clear();
                    recordsThrough.clear();
                }
            }
            wal.close();
        } catch (DiskCrashedException crashed) {
            // The process died here; what it had acknowledged is in `acked`.
        }
        return new Progress(acked, written);
    }

    /** Batches with commits after every one to three, a restart in the middle, a commit at the end. */
    private static List<Step> script(Random random, int batches) {
        List<Step> steps = new ArrayList<>();
        BatchMaker maker = new BatchMaker(random, RecoveredState.EMPTY, 8, 24);
        long idOffset = 0;
        for (int i = 0; i < batches; i++) {
            PersistBatch batch = maker.next();
            steps.add(new Step(renumber(batch, batch.id() - idOffset), false, false));
            if (random.nextInt(2) == 0 || i == batches - 1) {
                steps.add(new Step(null, true, false));
            }
            if (i == batches / 2) {
                steps.add(new Step(null, true, false));
                steps.add(new Step(null, false, true));
                idOffset = batch.id();
            }
        }
        return steps;
    }

    private static PersistBatch renumber(PersistBatch batch, long id) {
        return new PersistBatch(id, batch.promised(), batch.entries(), batch.finalizedSlots());
    }
}
