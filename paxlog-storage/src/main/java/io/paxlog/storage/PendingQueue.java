package io.paxlog.storage;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Batches written but not yet taken by the committer: the one structure shared between the threads
 * that call {@code write} and the committer thread. Bounded by batch count and encoded bytes.
 *
 * <p>Thread: every field is guarded by {@code lock}. The committer holds it only to take a group,
 * never during disk I/O, so a writer waits for the disk only when the queue is over its limits.
 */
final class PendingQueue {

    /**
     * A queued batch, or a snapshot to save ({@code batch} null, {@code snapshot} set, no records). A
     * snapshot is always a group of its own, so it is saved after every batch queued before it is durable;
     * batches queued after it may be committed while it is being written ({@link #pollBatches}).
     */
    record Pending(PersistBatch batch, SnapshotSave snapshot, Storage.DurableCallback callback, List<WalRecord> records,
            long bytes) {}

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever the queue or its state changes; writers and the committer both wait on it. */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Pending> items = new ArrayDeque<>();
    private final BatchSequence sequence;
    private final int batchesMax;
    private final long bytesMax;
    private long bytes;
    private WalFatalException failure;
    private boolean closed;
    /** Slot of the newest snapshot recovered or queued; each new one must be above it. */
    private long snapshotSlot;

    PendingQueue(BatchSequence sequence, int batchesMax, long bytesMax, long recoveredSnapshotSlot) {
        this.sequence = sequence;
        this.snapshotSlot = recoveredSnapshotSlot;
        this.batchesMax = batchesMax;
        this.bytesMax = bytesMax;
    }

    /**
     * Queues a batch. While the queue is over its limits (a batch always enters an empty queue, however
     * large) it waits if {@code mayWait}, else throws {@link IllegalStateException}: waiting is wrong
     * when no other thread will make room. Throws once the log failed or closed.
     */
    void put(PersistBatch batch, Storage.DurableCallback callback, boolean mayWait) {
        List<WalRecord> records = BatchSequence.records(batch);
        long size = 0;
        for (WalRecord record : records) {
            int length = RecordCodec.encodedBytes(record);
            if (length > RecordCodec.RECORD_BYTES_MAX) {
                throw new IllegalArgumentException("batch " + batch.id() + " holds a record of " + length
                        + " bytes; the log's limit is " + RecordCodec.RECORD_BYTES_MAX);
            }
            size += length;
        }
        lock.lock();
        try {
            throwIfStopped();
            while (!items.isEmpty() && (items.size() >= batchesMax || bytes + size > bytesMax)) {
                if (!mayWait) {
                    throw new IllegalStateException("write queue full (" + items.size() + " batches, " + bytes
                            + " bytes) and no other thread would make room: in manual commit mode the owner"
                            + " must call commitPending() in time; a durable callback must not write that much");
                }
                changed.awaitUninterruptibly(); // dropping the batch is not an option, so no interrupt
                throwIfStopped();
            }
            sequence.admit(batch);
            items.add(new Pending(batch, null, callback, records, size));
            bytes += size;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a snapshot to save, behind every batch queued so far. It counts as one item against the
     * batch limit (and waits, or throws, as {@link #put} does); its bytes (an array in hand, or a view
     * not written yet) are not copied, so they do not count against the byte limit.
     *
     * @throws IllegalArgumentException when {@code snapshot} is not above the newest one recovered or queued
     */
    void putSnapshot(SnapshotSave snapshot, Storage.DurableCallback callback, boolean mayWait) {
        lock.lock();
        try {
            throwIfStopped();
            if (snapshot.slot() <= snapshotSlot) {
                throw new IllegalArgumentException("a snapshot at slot " + snapshot.slot()
                        + " is not newer than the one at slot " + snapshotSlot);
            }
            while (!items.isEmpty() && items.size() >= batchesMax) {
                if (!mayWait) {
                    throw new IllegalStateException("write queue full (" + items.size() + " items) and no other"
                            + " thread would make room: in manual commit mode the owner must call commitPending()");
                }
                changed.awaitUninterruptibly();
                throwIfStopped();
            }
            snapshotSlot = snapshot.slot();
            items.add(new Pending(null, snapshot, callback, List.of(), 0));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for batches and takes a group of them (at least one, then more while they fit in {@code
     * groupBytesMax}). Returns null once the log failed, or closed with nothing left.
     */
    List<Pending> take(long groupBytesMax) {
        lock.lock();
        try {
            while (items.isEmpty() && !closed && failure == null) {
                changed.awaitUninterruptibly(); // close() wakes us; the I/O thread is never interrupted
            }
            if (failure != null || items.isEmpty()) {
                return null;
            }
            return drain(groupBytesMax);
        } finally {
            lock.unlock();
        }
    }

    /** Takes a group without waiting; empty when nothing is queued or the log failed. */
    List<Pending> poll(long groupBytesMax) {
        lock.lock();
        try {
            return failure != null ? List.of() : drain(groupBytesMax);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a group of batches without waiting, but never a snapshot: for the committer while it saves
     * one (a second snapshot waits for the first). Empty when none is queued first, or the log failed.
     */
    List<Pending> pollBatches(long groupBytesMax) {
        lock.lock();
        try {
            if (failure != null || items.isEmpty() || items.peek().snapshot() != null) {
                return List.of();
            }
            return drain(groupBytesMax);
        } finally {
            lock.unlock();
        }
    }

    private List<Pending> drain(long groupBytesMax) {
        List<Pending> group = new ArrayList<>();
        long groupBytes = 0;
        while (!items.isEmpty() && (group.isEmpty() || groupBytes + items.peek().bytes() <= groupBytesMax)) {
            if (items.peek().snapshot() != null && !group.isEmpty()) {
                break; // a snapshot is a group of its own
            }
            Pending next = items.poll();
            if (next.snapshot() != null) {
                group.add(next);
                break;
            }
            group.add(next);
            groupBytes += next.bytes();
            bytes -= next.bytes();
        }
        changed.signalAll(); // writers waiting for room
        return group;
    }

    /** Records the first fatal error; from now on nothing is taken and every write throws. */
    void fail(WalFatalException error) {
        lock.lock();
        try {
            if (failure == null) {
                failure = error;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    WalFatalException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /** No more writes; the committer still takes what is queued. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    private void throwIfStopped() {
        if (failure != null) {
            throw new WalFatalException("the write-ahead log stopped after a fatal error and acknowledges"
                    + " nothing more: " + failure.getMessage(), failure);
        }
        if (closed) {
            throw new IllegalStateException("the write-ahead log is closed");
        }
    }
}
