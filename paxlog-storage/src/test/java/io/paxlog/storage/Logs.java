package io.paxlog.storage;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.storage.memory.MemoryDisk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Shared set-up for tests that run the real log over a {@link MemoryDisk} in manual commit mode. */
final class Logs {

    static final SegmentIdentity ID = new SegmentIdentity("test-cluster", 1);

    private Logs() {}

    static WalConfig config(long segmentBytes, boolean preallocate) {
        return new WalConfig(ID, segmentBytes, preallocate, 1 << 16, 256L << 20, 4096);
    }

    /** A handler for tests in which no fatal error may happen. */
    static final FatalErrorHandler NO_FATAL = error -> {
        throw new AssertionError("unexpected fatal storage error", error);
    };

    static WalStorage manual(MemoryDisk disk, WalConfig config) {
        return WalStorage.open(config, disk, CommitMode.MANUAL, NO_FATAL);
    }

    /** Recovers the log on {@code disk} in a fresh instance and closes it again. */
    static RecoveredState recoverOnce(MemoryDisk disk, WalConfig config) {
        try (WalStorage wal = manual(disk, config)) {
            return wal.recover();
        }
    }

    /** Writes and commits {@code batches} to a fresh log on {@code disk}; returns the ids reported durable. */
    static List<Long> writeAll(MemoryDisk disk, WalConfig config, List<PersistBatch> batches) {
        List<Long> durable = new ArrayList<>();
        try (WalStorage wal = manual(disk, config)) {
            wal.recover();
            for (PersistBatch batch : batches) {
                wal.write(batch, durable::add);
            }
            wal.commitPending();
        }
        return durable;
    }

    /** Where each record of the log on {@code disk} lies, read without repairing anything. */
    record Placed(String file, long offset, int length, WalRecord record) {}

    static List<Placed> layout(MemoryDisk disk) {
        List<Placed> placed = new ArrayList<>();
        try {
            LogRecovery.run(disk, ID, false, new LogRecovery.Listener() {
                @Override
                public void record(String file, long offset, int length, WalRecord record) {
                    placed.add(new Placed(file, offset, length, record));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return placed;
    }

    /** Bytes of a segment holding {@code records} back to back after a valid header. */
    static byte[] segment(long index, SegmentIdentity identity, WalRecord... records) {
        int size = SegmentHeader.BYTES;
        for (WalRecord record : records) {
            size += RecordCodec.encodedBytes(record);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(SegmentHeader.of(index, identity).encode());
        for (WalRecord record : records) {
            RecordCodec.encode(record, index, out.position(), out);
        }
        return out.array();
    }

    /** A disk holding one file with {@code content}, created and synced the way the log would. */
    static void put(MemoryDisk disk, String name, byte[] content) {
        try {
            try (var file = disk.open(name, OpenMode.CREATE_NEW)) {
                file.write(ByteBuffer.wrap(content), 0);
                file.force(true);
            }
            disk.syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
