package io.paxlog.storage.bench;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.CommitMode;
import io.paxlog.storage.FatalErrorHandler;
import io.paxlog.storage.NioFileLayer;
import io.paxlog.storage.WalConfig;
import io.paxlog.storage.WalMetrics;
import io.paxlog.storage.WalStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Measures the log on a real disk (issue 3's benchmark). Not a test: run it by hand.
 *
 * <pre>
 * java -cp paxlog-storage/target/classes:paxlog-storage/target/test-classes:paxlog-api/target/classes \
 *     io.paxlog.storage.bench.WalBench /tmp/walbench [seconds per case, default 5] [all|append|recovery]
 * </pre>
 *
 * <ol>
 *   <li>Raw: one append then one fsync ({@code FileChannel.force(false)}), in a loop, on the same disk:
 *       once overwriting a preallocated file, and right before each group commit case appending to a
 *       growing file (the disk's rate drifts on shared hardware, so each ratio uses its neighbour).
 *   <li>Group commit: W writers, each in a closed loop (write a batch of one entry, wait until it is
 *       reported durable, repeat), for W = 1, 16, 128 and payloads of 100 B and 4 KiB.
 *   <li>Recovery: a log of 1,000,000 entries of 100 B, recovered from a fresh instance: time, and the
 *       heap the recovered state holds.
 * </ol>
 */
public final class WalBench {

    private static final Epoch EPOCH = new Epoch(1, 1);

    private WalBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WalBench DIR [seconds per case] [all|append|recovery]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String cases = args.length > 2 ? args[2] : "all";
        Files.createDirectories(root);
        System.out.printf("WalBench: %s, %d s per case, %s %s, %d cpus, max heap %d MiB%n", root.toAbsolutePath(),
                seconds, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        for (int payload : cases.equals("recovery") ? new int[0] : new int[] {100, 4096}) {
            System.out.println();
            double rawPreallocated = raw(root.resolve("raw-" + payload), payload, seconds, true);
            System.out.printf("raw overwrite+fsync in a preallocated file, %4d B: %,8.0f appends/s = fsyncs/s%n",
                    payload, rawPreallocated);
            for (int writers : new int[] {1, 16, 128}) {
                // One-fsync-per-append right before each case: the disk's rate drifts on shared hardware.
                double raw = raw(root.resolve("raw-" + payload), payload, seconds, false);
                Result r = groupCommit(root.resolve("group-" + payload + "-" + writers), payload, writers, seconds);
                System.out.printf("raw append+fsync %,8.0f/s | group commit, %4d B, %3d writers: %,9.0f appends/s,"
                                + " %,7.0f fsyncs/s, %6.1f appends per fsync, %6.1fx raw%n",
                        raw, payload, writers, r.appendsPerSecond, r.fsyncsPerSecond,
                        r.appendsPerSecond / r.fsyncsPerSecond, r.appendsPerSecond / raw);
            }
        }
        if (!cases.equals("append")) {
            recovery(root.resolve("recovery"), 1_000_000, 100);
        }
    }

    private record Result(double appendsPerSecond, double fsyncsPerSecond) {}

    /**
     * One append, one fsync, repeated: the rate a log without group commit gets. With {@code
     * preallocated} the appends overwrite a zero-filled file (as the log's segments do), otherwise the
     * file grows with each append.
     */
    private static double raw(Path file, int payload, int seconds, boolean preallocated) throws IOException {
        clean(file);
        Files.createDirectories(file);
        try (FileChannel channel = FileChannel.open(file.resolve("raw.dat"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            if (preallocated) {
                ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                for (long at = 0; at < WalConfig.SEGMENT_BYTES_DEFAULT; at += 1 << 20) {
                    zeros.clear();
                    channel.write(zeros, at);
                }
                channel.force(true);
            }
            ByteBuffer record = ByteBuffer.allocate(payload + 49);
            long position = 0;
            long appends = 0;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long now;
            while ((now = System.nanoTime()) < end) {
                record.clear();
                if (preallocated && position + record.capacity() > WalConfig.SEGMENT_BYTES_DEFAULT) {
                    position = 0; // stay inside the allocated blocks
                }
                while (record.hasRemaining()) {
                    position += channel.write(record, position);
                }
                channel.force(false);
                appends++;
            }
            return appends / ((now - start) / 1e9);
        } finally {
            clean(file);
        }
    }

    private static Result groupCommit(Path directory, int payload, int writers, int seconds) throws Exception {
        clean(directory);
        WalStorage wal = WalStorage.open(WalConfig.defaults("bench", 1), new NioFileLayer(directory),
                CommitMode.IO_THREAD, FatalErrorHandler.exitProcess());
        wal.recover();
        Object order = new Object(); // batch ids must reach write() in order
        long[] nextId = {0};
        AtomicBoolean stop = new AtomicBoolean();
        byte[] bytes = new byte[payload];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread thread = new Thread(() -> {
                Semaphore acknowledged = new Semaphore(0);
                while (!stop.get()) {
                    synchronized (order) {
                        long id = ++nextId[0];
                        wal.write(batch(id, bytes), durable -> acknowledged.release());
                    }
                    acknowledged.acquireUninterruptibly();
                }
            }, "writer-" + w);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        TimeUnit.MILLISECONDS.sleep(500); // warm-up, not measured
        WalMetrics before = wal.metrics();
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        WalMetrics after = wal.metrics();
        double elapsed = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        wal.close();
        clean(directory);
        return new Result((after.batches() - before.batches()) / elapsed, (after.forces() - before.forces()) / elapsed);
    }

    private static void recovery(Path directory, int entries, int payload) throws Exception {
        clean(directory);
        WalConfig config = WalConfig.defaults("bench", 1);
        long writeStart = System.nanoTime();
        try (WalStorage wal = WalStorage.open(config, new NioFileLayer(directory), CommitMode.IO_THREAD,
                FatalErrorHandler.exitProcess())) {
            wal.recover();
            Semaphore done = new Semaphore(0);
            int perBatch = 1000;
            long id = 0;
            for (int first = 1; first <= entries; first += perBatch) {
                List<StoredEntry> batch = new ArrayList<>(perBatch);
                List<Long> finalized = new ArrayList<>(perBatch);
                for (long slot = first; slot < first + perBatch && slot <= entries; slot++) {
                    byte[] bytes = new byte[payload];
                    ByteBuffer.wrap(bytes).putLong(slot);
                    batch.add(new StoredEntry(slot, EPOCH, new Command(1 + slot % 100, 1 + slot / 100, bytes)));
                    finalized.add(slot);
                }
                id++;
                wal.write(new PersistBatch(id, id == 1 ? EPOCH : null, batch, finalized), durable -> done.release());
            }
            done.acquire((int) id);
        }
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long onDisk;
        try (Stream<Path> files = Files.list(directory)) {
            onDisk = files.mapToLong(p -> p.toFile().length()).sum();
        }

        long heapBefore = usedHeap();
        long start = System.nanoTime();
        RecoveredState state;
        try (WalStorage wal = WalStorage.open(directory, config)) {
            state = wal.recover();
        }
        double recoverSeconds = (System.nanoTime() - start) / 1e9;
        long heapAfter = usedHeap();
        if (state.entries().size() != entries || !state.entries().get(entries - 1).finalized()) {
            throw new AssertionError("recovered " + state.entries().size() + " entries, expected " + entries);
        }
        System.out.printf("%nrecovery: %,d entries of %d B (+ %,d finalize marks), %,d MiB on disk (written in %.1f s)%n",
                entries, payload, entries, onDisk >> 20, writeSeconds);
        System.out.printf("recovery: %.2f s, %,.0f records/s; recovered state holds %,d MiB of heap (%d B per entry)%n",
                recoverSeconds, 2.0 * entries / recoverSeconds, (heapAfter - heapBefore) >> 20,
                (heapAfter - heapBefore) / entries);
        clean(directory);
    }

    private static PersistBatch batch(long id, byte[] payload) {
        return new PersistBatch(id, id == 1 ? EPOCH : null,
                List.of(new StoredEntry(id, EPOCH, new Command(1, id, payload))), List.of());
    }

    private static long usedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void clean(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
