package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.storage.memory.CrashMode;
import io.paxlog.storage.memory.MemoryDisk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Recovery of any sequence of writes, commits, restarts and crashes equals a model of what was durable. */
class WalModelPropertyTest {

    private static final int WRITE_MAX = 5;
    private static final int COMMIT_MAX = 7;
    private static final int RESTART = 8;

    @Property(tries = 300)
    void recovery_returns_exactly_the_committed_batches(
            @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 9) Integer> actions,
            @ForAll long seed,
            @ForAll("segmentBytes") long segmentBytes,
            @ForAll boolean preallocate) {
        Random random = new Random(seed);
        WalConfig config = Logs.config(segmentBytes, preallocate);
        MemoryDisk disk = new MemoryDisk();
        WalStorage wal = Logs.manual(disk, config);
        RecoveredState recovered = wal.recover();
        assertThat(recovered).isEqualTo(RecoveredState.EMPTY);

        ReplayModel durable = new ReplayModel();
        BatchMaker maker = new BatchMaker(random, recovered, 12, 40);
        List<PersistBatch> pending = new ArrayList<>();
        List<Long> reported = new ArrayList<>();
        for (int action : actions) {
            if (action <= WRITE_MAX) {
                PersistBatch batch = maker.next();
                pending.add(batch);
                wal.write(batch, reported::add);
            } else if (action <= COMMIT_MAX) {
                int committed = wal.commitPending();
                assertThat(committed).isEqualTo(pending.size());
                assertThat(reported).containsExactlyElementsOf(pending.stream().map(PersistBatch::id).toList());
                pending.forEach(durable::apply);
                pending.clear();
                reported.clear();
            } else {
                // Restart (close drops what was not committed, as a crash does) or crash the disk.
                if (action == RESTART) {
                    wal.close();
                } else {
                    disk = disk.crash(random.nextBoolean()
                            ? CrashMode.dropUnsynced() : CrashMode.tearLastWrite(random.nextInt(200)));
                }
                assertThat(reported).isEmpty();
                wal = Logs.manual(disk, config);
                recovered = wal.recover();
                assertThat(recovered).isEqualTo(durable.state());
                maker = new BatchMaker(random, recovered, 12, 40);
                pending.clear();
            }
        }
        wal.commitPending();
        pending.forEach(durable::apply);
        wal.close();

        assertThat(Logs.recoverOnce(disk, config)).isEqualTo(durable.state());
    }

    @Provide
    Arbitrary<Long> segmentBytes() {
        return Arbitraries.of(256L, 300L, 512L, 4096L, 1L << 20);
    }
}
