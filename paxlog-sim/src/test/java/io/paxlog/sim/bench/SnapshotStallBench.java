package io.paxlog.sim.bench;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvLimits;
import io.paxlog.kv.KvMachine;
import io.paxlog.storage.WalConfig;
import io.paxlog.storage.WalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long the loop thread stops applying commands while a snapshot of a large key-value state is
 * taken and written (issue 9). Not a test: a main, run by {@code scripts/snapshot-stall-bench.sh}.
 *
 * <p>It builds a {@link KvMachine} of {@code --mib} MiB (entries of {@code --value} bytes) behind the
 * real {@link ExactlyOnce}, opens a real {@link WalStorage} with its I/O thread in a temp directory,
 * then applies overwrites as fast as one thread can, as the loop thread would. Three seconds in, it
 * takes a snapshot exactly as {@code ReplicaLoop.takeSnapshot} does and hands it to the store; it keeps
 * applying until the store reports the snapshot durable and two seconds more. Each phase reports its
 * longest gap and its GC time, so the pauses the snapshot causes stand apart from this heap's usual ones. It prints the longest gap
 * between two applies (the stall: serializing on this thread, and the GC pauses the snapshot causes),
 * the time the take itself held the thread, and the time until durable. Every 1,000 applies it also
 * writes a one-entry batch to the log, as the loop does for each command, and prints the longest time
 * one took to become durable: the log's I/O thread also saves the snapshot, and batches wait behind it.
 *
 * <p>The snapshot call is the one line that differs between the old code (a {@code byte[]} built on
 * this thread: {@code wal.saveSnapshot(new Snapshot(slot, layer.snapshot()), callback)}, which is how
 * the "before" figures were taken, on a checkout of commit 0bacfd0) and the new (a view written by the
 * store's thread); see {@link #takeSnapshot}.
 */
public final class SnapshotStallBench {

    private SnapshotStallBench() {}

    public static void main(String[] args) throws Exception {
        long mib = 1024;
        int valueBytes = 1000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mib" -> mib = Long.parseLong(args[i + 1]);
                case "--value" -> valueBytes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long footprint = KvMachine.ENTRY_OVERHEAD_BYTES + 11 + valueBytes; // keys are 11 bytes
        // The store's limit is 1 GiB counted this way, so at most that many keys fit.
        int keys = (int) Math.min(KvLimits.STORE_BYTES_LIMIT, mib << 20) / (int) footprint;
        KvMachine kv = new KvMachine(new KvLimits(KvLimits.KEY_BYTES_MAX_DEFAULT, Math.max(valueBytes, 1 << 10),
                KvLimits.STORE_BYTES_LIMIT, KvLimits.LIST_ENTRIES_MAX_DEFAULT, KvLimits.LIST_BYTES_MAX_DEFAULT));
        ExactlyOnce layer = new ExactlyOnce(kv, 64);
        SplittableRandom random = new SplittableRandom(9);
        long slot = 0;
        long started = System.nanoTime();
        for (int k = 0; k < keys; k++) {
            slot++;
            layer.apply(slot, new Command(1 + (slot % 256), 1 + slot / 256, put(k, valueBytes, random)));
        }
        System.out.printf("built %,d keys, %,d store bytes (%.0f MiB) in %.1f s%n", kv.size(), kv.storeBytes(),
                kv.storeBytes() / 1048576.0, (System.nanoTime() - started) / 1e9);
        System.gc();

        Path dir = Files.createTempDirectory("paxlog-stall-bench");
        try (WalStorage wal = WalStorage.open(dir, WalConfig.defaults("bench", 1))) {
            wal.recover();
            CountDownLatch durable = new CountDownLatch(1);
            AtomicLong durableAt = new AtomicLong();
            long begin = System.nanoTime();
            long last = begin;
            // Phase 0: applying, no snapshot (the baseline: GC pauses of this heap under this load);
            // 1: from the take until the store reports it durable; 2: two seconds after that.
            String[] phases = {"before the take (3 s)", "take until durable", "after durable (2 s)"};
            long[] maxGap = new long[3];
            long[] applies = new long[3];
            long[] phaseStart = new long[3];
            long[] gcMillisAtStart = new long[4];
            int phase = 0;
            gcMillisAtStart[0] = gcMillis();
            long takeNanos = -1;
            long takenAt = 0;
            long stopAt = Long.MAX_VALUE;
            long[] writtenAt = new long[1 << 20];
            AtomicLong longestDurableNanos = new AtomicLong();
            long batchId = 0;
            long applied = 0;
            Epoch epoch = new Epoch(1, 1);
            while (true) {
                long now = System.nanoTime();
                maxGap[phase] = Math.max(maxGap[phase], now - last);
                last = now;
                if (phase == 0 && now - begin > TimeUnit.SECONDS.toNanos(3)) {
                    phase = 1;
                    phaseStart[1] = now;
                    gcMillisAtStart[1] = gcMillis();
                    takenAt = now;
                    takeSnapshot(wal, layer, slot, durable, durableAt);
                    takeNanos = System.nanoTime() - now;
                    // last stays at now: the next gap includes the take, as the loop would feel it
                }
                if (phase == 1 && durable.getCount() == 0) {
                    phase = 2;
                    phaseStart[2] = now;
                    gcMillisAtStart[2] = gcMillis();
                    stopAt = now + TimeUnit.SECONDS.toNanos(2);
                }
                if (now > stopAt) {
                    break;
                }
                if (applied % 1000 == 0 && batchId + 1 < writtenAt.length) {
                    long id = ++batchId;
                    writtenAt[(int) id] = System.nanoTime();
                    // Slots far above the snapshot's, so that compaction never covers them.
                    wal.write(new PersistBatch(id, id == 1 ? epoch : null, List.of(new StoredEntry(1L << 40 | id, epoch,
                            new Command(7, id, new byte[64]))), List.of()), durableId -> {
                                long took = System.nanoTime() - writtenAt[(int) durableId];
                                longestDurableNanos.accumulateAndGet(took, Math::max);
                            });
                }
                slot++;
                int key = random.nextInt(keys);
                layer.apply(slot, new Command(1 + (slot % 256), 1 + slot / 256, put(key, valueBytes, random)));
                applies[phase]++;
                applied++;
            }
            long end = System.nanoTime();
            gcMillisAtStart[3] = gcMillis();
            System.out.printf("snapshot at slot %d: the take held the loop %.1f ms; durable %.0f ms after the take%n",
                    wal.newestContent().orElseThrow().slot(), takeNanos / 1e6, (durableAt.get() - takenAt) / 1e6);
            for (int p = 0; p < 3; p++) {
                long phaseEnd = p < 2 ? phaseStart[p + 1] : end;
                double seconds = (phaseEnd - (p == 0 ? begin : phaseStart[p])) / 1e9;
                System.out.printf("  %-22s longest gap between two applies %8.1f ms; %,8d applies in %5.1f s"
                        + " (%6.0f/s); GC pauses %6d ms%n", phases[p], maxGap[p] / 1e6, applies[p], seconds,
                        applies[p] / seconds, gcMillisAtStart[p + 1] - gcMillisAtStart[p]);
            }
            System.out.printf("log batches written meanwhile: %d; the longest took %.1f ms to become durable%n",
                    batchId, longestDurableNanos.get() / 1e6);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** What {@code ReplicaLoop.takeSnapshot} does on the loop thread, then hands to the store. */
    private static void takeSnapshot(WalStorage wal, ExactlyOnce layer, long slot, CountDownLatch durable,
            AtomicLong durableAt) {
        wal.saveSnapshot(slot, layer.snapshotSource(), saved -> {
            durableAt.set(System.nanoTime());
            durable.countDown();
        });
    }

    /** Milliseconds the collectors spent so far (stop-the-world pauses, for G1's young and full collections). */
    private static long gcMillis() {
        long total = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, collector.getCollectionTime());
        }
        return total;
    }

    private static byte[] put(int key, int valueBytes, SplittableRandom random) {
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) random.nextInt(256));
        return KvCommands.put(String.format("key-%07d", key).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                value);
    }
}
