package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.memory.CrashMode;
import io.paxlog.storage.memory.DiskCrashedException;
import io.paxlog.storage.memory.MemoryDisk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Environmental failures: the log stops acknowledging at once, reports once through the handler, never
 * claims durability that did not happen, and what it did acknowledge is still recovered.
 */
class FatalErrorTest {

    private static final Epoch E = new Epoch(1, 1);

    /** Collects what the log reports: durable ids and fatal errors. */
    static final class Reports implements FatalErrorHandler {
        final List<Long> durable = Collections.synchronizedList(new ArrayList<>());
        final List<WalFatalException> fatal = Collections.synchronizedList(new ArrayList<>());
        final List<String> fatalThreads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch fatalSeen = new CountDownLatch(1);

        @Override
        public void onFatal(WalFatalException error) {
            fatal.add(error);
            fatalThreads.add(Thread.currentThread().getName());
            fatalSeen.countDown();
        }
    }

    static PersistBatch batch(long id, int payloadBytes) {
        return new PersistBatch(id, id == 1 ? E : null,
                List.of(new StoredEntry(id, E, new Command(1, id, new byte[payloadBytes]))), List.of());
    }

    static RecoveredState stateAfter(int batches, int payloadBytes) {
        ReplayModel model = new ReplayModel();
        for (int id = 1; id <= batches; id++) {
            model.apply(batch(id, payloadBytes));
        }
        return model.state();
    }

    @Test
    void a_full_disk_during_a_group_write_stops_acknowledging_and_keeps_what_was_acknowledged() throws Exception {
        WalConfig config = Logs.config(1 << 20, false);
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        WalStorage wal = WalStorage.open(config, disk, CommitMode.MANUAL, reports);
        wal.recover();
        for (long id = 1; id <= 3; id++) {
            wal.write(batch(id, 100), reports.durable::add);
        }
        assertThat(wal.commitPending()).isEqualTo(3);
        long used = disk.contents(SegmentNames.name(1)).length;
        disk.capacityBytes(used + 200); // batches 4..6 need about 450 bytes

        for (long id = 4; id <= 6; id++) {
            wal.write(batch(id, 100), reports.durable::add);
        }
        assertThat(wal.commitPending()).isZero();

        assertThat(reports.durable).containsExactly(1L, 2L, 3L);
        assertThat(reports.fatal).singleElement().satisfies(error -> assertThat(error.getMessage())
                .contains("No space left on device")
                .contains("Batches 4..6")
                .contains("The disk is full: free space, then restart the server."));
        assertThatThrownBy(() -> wal.write(batch(7, 1), reports.durable::add))
                .isInstanceOf(WalFatalException.class)
                .hasMessageContaining("acknowledges nothing more");
        assertThat(wal.commitPending()).isZero();
        assertThat(reports.fatal).hasSize(1);

        assertThat(Logs.recoverOnce(disk.crash(CrashMode.dropUnsynced()), config)).isEqualTo(stateAfter(3, 100));
    }

    @Test
    void a_full_disk_while_preallocating_the_next_segment_is_fatal_and_loses_nothing_acknowledged()
            throws Exception {
        WalConfig config = Logs.config(1024, true);
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        WalStorage wal = WalStorage.open(config, disk, CommitMode.MANUAL, reports);
        wal.recover();
        for (long id = 1; id <= 4; id++) {
            wal.write(batch(id, 100), reports.durable::add);
            wal.commitPending();
        }
        disk.capacityBytes(1024 + 500); // the second segment cannot be preallocated
        for (long id = 5; id <= 12; id++) {
            wal.write(batch(id, 100), reports.durable::add);
        }
        wal.commitPending();

        assertThat(reports.fatal).singleElement().satisfies(error -> assertThat(error.getMessage())
                .contains("creating segment mem:" + SegmentNames.name(2) + " failed: No space left on device"));
        int acknowledged = reports.durable.size();
        assertThat(reports.durable).isEqualTo(ids(acknowledged));

        MemoryDisk restarted = disk.crash(CrashMode.dropUnsynced());
        RecoveredState recovered = Logs.recoverOnce(restarted, config);
        assertThat(recovered.entries().size()).isGreaterThanOrEqualTo(acknowledged);
        assertThat(recovered.entries().subList(0, acknowledged)).isEqualTo(stateAfter(acknowledged, 100).entries());
    }

    @Test
    void a_failing_fsync_is_fatal_never_retried_and_its_batches_are_never_reported() throws Exception {
        WalConfig config = Logs.config(1 << 20, false);
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        WalStorage wal = WalStorage.open(config, disk, CommitMode.MANUAL, reports);
        wal.recover();
        wal.write(batch(1, 10), reports.durable::add);
        wal.commitPending();
        long forcesBefore = wal.metrics().forces();
        disk.failOperations(MemoryDisk.Operation.FORCE, 0, "Input/output error");

        wal.write(batch(2, 10), reports.durable::add);
        wal.write(batch(3, 10), reports.durable::add);
        wal.commitPending();

        assertThat(reports.durable).containsExactly(1L);
        assertThat(reports.fatal).singleElement().satisfies(error -> assertThat(error.getMessage())
                .contains("fsync of mem:" + SegmentNames.name(1) + " failed: Input/output error")
                .contains("Batches 2..3")
                .contains("never retried"));
        assertThat(wal.metrics().forces()).isEqualTo(forcesBefore);
        assertThatThrownBy(() -> wal.write(batch(4, 10), reports.durable::add)).isInstanceOf(WalFatalException.class);
        assertThat(Logs.recoverOnce(disk.crash(CrashMode.dropUnsynced()), config)).isEqualTo(stateAfter(1, 10));
    }

    @Test
    void a_failing_directory_sync_after_creating_a_segment_is_fatal() {
        WalConfig config = Logs.config(1 << 20, false);
        MemoryDisk disk = new MemoryDisk();
        disk.failOperations(MemoryDisk.Operation.SYNC_DIRECTORY, 0, "Input/output error");
        Reports reports = new Reports();
        WalStorage wal = WalStorage.open(config, disk, CommitMode.MANUAL, reports);
        wal.recover();
        wal.write(batch(1, 10), reports.durable::add);
        wal.commitPending();

        assertThat(reports.durable).isEmpty();
        assertThat(reports.fatal).singleElement().satisfies(error -> assertThat(error.getMessage())
                .contains("syncing the directory after creating mem:" + SegmentNames.name(1) + " failed"));
    }

    @Test
    void on_the_io_thread_a_failing_fsync_reaches_the_handler_and_stops_later_writes() throws Exception {
        WalConfig config = Logs.config(1 << 20, false);
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        try (WalStorage wal = WalStorage.open(config, disk, CommitMode.IO_THREAD, reports)) {
            wal.recover();
            CountDownLatch first = new CountDownLatch(1);
            wal.write(batch(1, 10), id -> {
                reports.durable.add(id);
                first.countDown();
            });
            assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
            disk.failOperations(MemoryDisk.Operation.FORCE, 0, "Input/output error");
            wal.write(batch(2, 10), reports.durable::add);

            assertThat(reports.fatalSeen.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(reports.fatalThreads).containsExactly("paxlog-wal-io-1");
            assertThat(reports.durable).containsExactly(1L);
            assertThatThrownBy(() -> wal.write(batch(3, 10), reports.durable::add))
                    .isInstanceOf(WalFatalException.class);
        }
        assertThat(reports.durable).containsExactly(1L);
        assertThat(reports.fatal).hasSize(1);
    }

    @Test
    void a_durable_callback_that_throws_on_the_io_thread_stops_the_log_and_is_reported() throws Exception {
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        try (WalStorage wal = WalStorage.open(Logs.config(1 << 20, false), disk, CommitMode.IO_THREAD, reports)) {
            wal.recover();
            wal.write(batch(1, 10), id -> {
                throw new IllegalStateException("bug in the caller");
            });

            assertThat(reports.fatalSeen.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(reports.fatal).singleElement().satisfies(error ->
                    assertThat(error).hasMessageContaining("bug in the caller"));
            assertThatThrownBy(() -> wal.write(batch(2, 10), reports.durable::add))
                    .isInstanceOf(WalFatalException.class);
        }
    }

    @Test
    void a_simulated_crash_in_manual_mode_unwinds_to_the_owner_and_the_log_acknowledges_nothing_more() {
        MemoryDisk disk = new MemoryDisk();
        Reports reports = new Reports();
        WalStorage wal = WalStorage.open(Logs.config(1 << 20, false), disk, CommitMode.MANUAL, reports);
        wal.recover();
        wal.write(batch(1, 10), reports.durable::add);
        disk.crashAtOperation(disk.operationCount() + 2);

        assertThatThrownBy(wal::commitPending).isInstanceOf(DiskCrashedException.class);
        assertThatThrownBy(() -> wal.write(batch(2, 10), reports.durable::add)).isInstanceOf(WalFatalException.class);
        assertThat(reports.durable).isEmpty();
        assertThat(reports.fatal).isEmpty(); // a dead process reports nothing
    }

    @Test
    void the_default_handler_prints_the_error_and_exits_with_status_70() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FailingFsyncMain.class.getName())
                .redirectErrorStream(true)
                .start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(exited).as("child exited; output: %s", output).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(FatalErrorHandler.EXIT_STATUS);
        assertThat(output).contains("paxlog: FATAL storage error, stopping (exit status 70)")
                .contains("fsync of mem:" + SegmentNames.name(1) + " failed: Input/output error")
                .doesNotContain("reported durable");
    }

    /** Child process of the test above: a server whose first fsync fails, with the default handler. */
    public static final class FailingFsyncMain {
        public static void main(String[] args) throws Exception {
            MemoryDisk disk = new MemoryDisk();
            disk.failOperations(MemoryDisk.Operation.FORCE, 0, "Input/output error");
            WalStorage wal = WalStorage.open(Logs.config(1 << 20, false), disk, CommitMode.IO_THREAD,
                    FatalErrorHandler.exitProcess());
            wal.recover();
            wal.write(batch(1, 10), id -> System.out.println("batch " + id + " reported durable"));
            // The handler exits the JVM; returning from here means it did not (exit status 0 fails the test).
            new CountDownLatch(1).await(30, TimeUnit.SECONDS);
        }
    }

    private static List<Long> ids(int count) {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= count; id++) {
            ids.add(id);
        }
        return ids;
    }
}
