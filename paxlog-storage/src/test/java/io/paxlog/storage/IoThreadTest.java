package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.storage.memory.MemoryDisk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The I/O thread: group commit, callback order and thread, backpressure, close. No timing involved. */
class IoThreadTest {

    private static final WalConfig CONFIG = Logs.config(1 << 20, false).withGroupBytesMax(1 << 20);

    private final List<Long> durable = Collections.synchronizedList(new ArrayList<>());
    private final List<String> threads = Collections.synchronizedList(new ArrayList<>());

    private PersistBatch write(WalStorage wal, long id, CountDownLatch done) {
        PersistBatch batch = FatalErrorTest.batch(id, 20);
        wal.write(batch, batchId -> {
            durable.add(batchId);
            threads.add(Thread.currentThread().getName());
            done.countDown();
        });
        return batch;
    }

    @Test
    void batches_queued_during_an_fsync_share_the_next_one_and_are_reported_in_order_on_the_io_thread()
            throws Exception {
        GatedLayer layer = new GatedLayer(new MemoryDisk());
        CountDownLatch done = new CountDownLatch(100);
        try (WalStorage wal = WalStorage.open(CONFIG, layer, CommitMode.IO_THREAD, Logs.NO_FATAL)) {
            wal.recover();
            layer.hold();
            write(wal, 1, done);
            assertThat(layer.awaitForceWaiting()).isTrue(); // the I/O thread is inside batch 1's fsyncs
            for (long id = 2; id <= 100; id++) {
                write(wal, id, done);
            }
            layer.stopHolding();

            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            WalMetrics metrics = wal.metrics();
            assertThat(metrics.groups()).isEqualTo(2);
            assertThat(metrics.batches()).isEqualTo(100);
            // Group 1: the new segment's header and directory, then its records. Group 2: one fsync.
            assertThat(metrics.forces()).isEqualTo(4);
        }
        assertThat(durable).isEqualTo(ids(100));
        assertThat(threads).containsOnly("paxlog-wal-io-1");
    }

    @Test
    void a_full_queue_blocks_the_writer_until_the_io_thread_makes_room() throws Exception {
        GatedLayer layer = new GatedLayer(new MemoryDisk());
        CountDownLatch done = new CountDownLatch(6);
        try (WalStorage wal = WalStorage.open(CONFIG.withQueueLimits(4, 1 << 20), layer, CommitMode.IO_THREAD,
                Logs.NO_FATAL)) {
            wal.recover();
            layer.hold();
            write(wal, 1, done);
            assertThat(layer.awaitForceWaiting()).isTrue();
            for (long id = 2; id <= 5; id++) {
                write(wal, id, done);
            }
            assertThat(wal.pendingBatches()).isEqualTo(4);
            Thread writer = new Thread(() -> write(wal, 6, done), "writer");
            writer.start();
            awaitWaiting(writer);
            assertThat(wal.pendingBatches()).isEqualTo(4); // batch 6 waits outside the queue
            assertThat(durable).isEmpty();

            layer.stopHolding();
            writer.join(30_000);
            assertThat(writer.isAlive()).isFalse();
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(durable).isEqualTo(ids(6));
    }

    @Test
    void close_commits_and_reports_everything_queued_before_it_returns() {
        CountDownLatch done = new CountDownLatch(50);
        MemoryDisk disk = new MemoryDisk();
        WalStorage wal = WalStorage.open(CONFIG, disk, CommitMode.IO_THREAD, Logs.NO_FATAL);
        wal.recover();
        for (long id = 1; id <= 50; id++) {
            write(wal, id, done);
        }
        wal.close();

        assertThat(durable).isEqualTo(ids(50));
        assertThat(Logs.recoverOnce(disk, CONFIG)).isEqualTo(FatalErrorTest.stateAfter(50, 20));
    }

    @Test
    void a_durable_callback_may_write_and_close_on_the_io_thread_without_waiting_for_itself() throws Exception {
        CountDownLatch done = new CountDownLatch(2); // batch 1's callback has finished, batch 2 is durable
        MemoryDisk disk = new MemoryDisk();
        WalStorage wal = WalStorage.open(CONFIG.withQueueLimits(1, 1 << 20), disk, CommitMode.IO_THREAD,
                Logs.NO_FATAL);
        wal.recover();
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        wal.write(FatalErrorTest.batch(1, 20), id -> {
            durable.add(id);
            write(wal, 2, done); // queue empty: enters
            try {
                write(wal, 3, done); // queue full, and only this thread could make room
            } catch (IllegalStateException e) {
                thrown.add(e);
            }
            wal.close(); // must not join this very thread
            done.countDown();
        });

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(thrown).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("no other thread"));
        assertThat(durable).containsExactly(1L, 2L);
        assertThat(Logs.recoverOnce(disk, CONFIG)).isEqualTo(FatalErrorTest.stateAfter(2, 20));
    }

    /** Waits, bounded, until {@code thread} blocks (it waits for room in the queue). */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }

    private static List<Long> ids(int count) {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= count; id++) {
            ids.add(id);
        }
        return ids;
    }
}
