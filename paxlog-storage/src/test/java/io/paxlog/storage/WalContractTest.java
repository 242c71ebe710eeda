package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.storage.memory.MemoryDisk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Storage contract as the log enforces it on its callers. */
class WalContractTest {

    private static final Epoch E1 = new Epoch(1, 1);
    private static final Epoch E2 = new Epoch(2, 1);
    private static final Command A = new Command(1, 1, new byte[] {1});

    private final List<Long> durable = new ArrayList<>();

    private WalStorage recovered(WalConfig config) {
        WalStorage wal = Logs.manual(new MemoryDisk(), config);
        wal.recover();
        return wal;
    }

    @Test
    void write_before_recover_and_a_second_recover_are_refused() {
        WalStorage wal = Logs.manual(new MemoryDisk(), Logs.config(512, false));
        assertThatThrownBy(() -> wal.write(new PersistBatch(1, E1, List.of(), List.of()), durable::add))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before recover()");
        wal.recover();
        assertThatThrownBy(wal::recover).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void batch_ids_must_be_contiguous_from_one() {
        WalStorage wal = recovered(Logs.config(512, false));
        assertThatThrownBy(() -> wal.write(new PersistBatch(2, E1, List.of(), List.of()), durable::add))
                .isInstanceOf(AssertionError.class).hasMessageContaining("got 2 after 0");
    }

    @Test
    void a_promise_below_the_current_one_is_a_bug_and_never_reaches_the_disk() {
        WalStorage wal = recovered(Logs.config(512, false));
        wal.write(new PersistBatch(1, E2, List.of(), List.of()), durable::add);
        assertThatThrownBy(() -> wal.write(new PersistBatch(2, E1, List.of(), List.of()), durable::add))
                .isInstanceOf(AssertionError.class).hasMessageContaining("promised must never decrease");
        assertThat(wal.pendingBatches()).isEqualTo(1);
    }

    @Test
    void an_entry_above_the_promise_is_a_bug() {
        WalStorage wal = recovered(Logs.config(512, false));
        assertThatThrownBy(() -> wal.write(new PersistBatch(1, E1, List.of(new StoredEntry(1, E2, A)), List.of()),
                durable::add))
                .isInstanceOf(AssertionError.class).hasMessageContaining("above the promise 1.1");
    }

    @Test
    void a_record_above_the_format_limit_is_refused_before_anything_is_queued() {
        WalStorage wal = recovered(Logs.config(512, false));
        Command huge = new Command(1, 1, new byte[RecordCodec.RECORD_BYTES_MAX]);
        assertThatThrownBy(() -> wal.write(new PersistBatch(1, E1, List.of(new StoredEntry(1, E1, huge)), List.of()),
                durable::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the log's limit");
        wal.write(new PersistBatch(1, E1, List.of(), List.of()), durable::add);
        assertThat(wal.commitPending()).isEqualTo(1);
    }

    @Test
    void in_manual_mode_a_full_queue_throws_instead_of_waiting_forever() {
        WalStorage wal = recovered(Logs.config(512, false).withQueueLimits(2, 1 << 20));
        wal.write(new PersistBatch(1, E1, List.of(), List.of()), durable::add);
        wal.write(new PersistBatch(2, null, List.of(), List.of()), durable::add);
        assertThatThrownBy(() -> wal.write(new PersistBatch(3, null, List.of(), List.of()), durable::add))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must call commitPending()");
    }

    @Test
    void an_empty_batch_is_reported_durable_in_its_turn() {
        WalStorage wal = recovered(Logs.config(512, false));
        wal.write(new PersistBatch(1, E1, List.of(new StoredEntry(1, E1, A)), List.of()), durable::add);
        wal.write(new PersistBatch(2, null, List.of(), List.of()), durable::add);
        wal.write(new PersistBatch(3, null, List.of(), List.of(1L)), durable::add);
        assertThat(wal.commitPending()).isEqualTo(3);
        assertThat(durable).containsExactly(1L, 2L, 3L);
    }

    @Test
    void a_record_larger_than_a_segment_gets_a_segment_of_its_own() {
        MemoryDisk disk = new MemoryDisk();
        WalConfig config = Logs.config(512, true);
        Command big = new Command(1, 1, new byte[2000]);
        List<PersistBatch> batches = List.of(
                new PersistBatch(1, E1, List.of(new StoredEntry(1, E1, A)), List.of()),
                new PersistBatch(2, null, List.of(new StoredEntry(2, E1, big)), List.of()),
                new PersistBatch(3, null, List.of(new StoredEntry(3, E1, A)), List.of(2L)));
        assertThat(Logs.writeAll(disk, config, batches)).containsExactly(1L, 2L, 3L);

        assertThat(disk.list()).hasSize(3);
        assertThat(Logs.recoverOnce(disk, config).entries()).extracting(Object::toString)
                .containsExactly("1=" + A + "@1.1", "2=" + big + "@1.1F", "3=" + A + "@1.1");
    }

    @Test
    void every_new_segment_opens_with_the_current_promise() {
        MemoryDisk disk = new MemoryDisk();
        WalConfig config = Logs.config(256, false);
        List<PersistBatch> batches = new ArrayList<>();
        batches.add(new PersistBatch(1, E2, List.of(), List.of()));
        for (long id = 2; id <= 8; id++) {
            batches.add(new PersistBatch(id, null, List.of(new StoredEntry(id, E2, A)), List.of()));
        }
        Logs.writeAll(disk, config, batches);

        List<Logs.Placed> layout = Logs.layout(disk);
        List<String> files = layout.stream().map(Logs.Placed::file).distinct().toList();
        assertThat(files).hasSizeGreaterThan(2);
        for (String file : files) {
            Logs.Placed first = layout.stream().filter(p -> p.file().equals(file)).findFirst().orElseThrow();
            assertThat(first.offset()).isEqualTo(SegmentHeader.BYTES);
            assertThat(first.record()).isEqualTo(new WalRecord.Promise(E2));
        }
    }
}
