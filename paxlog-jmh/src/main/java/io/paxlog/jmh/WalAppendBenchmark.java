package io.paxlog.jmh;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.WalConfig;
import io.paxlog.storage.WalStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A WAL append on the real disk, as a server does it: one batch of {@code entries} commands of 100 B
 * handed to {@link WalStorage#write}, and the wait until its durable callback (the fsync done on the
 * WAL's I/O thread). The directory is {@code -Dpaxlog.jmh.dir} (default: the system's temporary
 * directory), so the disk measured is the one asked for.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WalAppendBenchmark {

    @Param({"1", "64"})
    int entries;

    private Path dir;
    private WalStorage wal;
    private long batchId;
    private long slot;
    private final Epoch epoch = new Epoch(1, 1);
    private final byte[] payload = new byte[100];

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path parent = Path.of(System.getProperty("paxlog.jmh.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(parent, "paxlog-jmh-wal-");
        wal = WalStorage.open(dir, WalConfig.defaults("jmh", 1));
        wal.recover();
    }

    @Benchmark
    public long appendAndSync() throws InterruptedException {
        List<StoredEntry> batch = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            slot++;
            batch.add(new StoredEntry(slot, epoch, new Command(7, slot, payload)));
        }
        CountDownLatch durable = new CountDownLatch(1);
        long id = ++batchId;
        wal.write(new PersistBatch(id, epoch, batch, List.of()), done -> durable.countDown());
        durable.await();
        return id;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        wal.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
