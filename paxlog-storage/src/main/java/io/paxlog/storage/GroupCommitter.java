package io.paxlog.storage;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.storage.SnapshotContent;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One group commit step: write every record of a group of batches, fsync once, then report the
 * batches durable in id order. Under load many batches queue while an fsync runs and share the next.
 *
 * <p>On an I/O error nothing of the group is reported, the queue is marked failed (so no later batch
 * is either) and the {@link FatalErrorHandler} is told, once. Any other exception (a bug, a callback
 * that threw, or a simulated crash) also stops the log, then unwinds to the caller: the I/O thread
 * reports it through {@link #fatal}; in manual mode the owner sees the exception.
 *
 * <p>Thread: confined to the committer thread, with the {@link WalWriter} it drives.
 */
final class GroupCommitter {

    private final WalWriter writer;
    private final PendingQueue queue;
    private final FatalErrorHandler handler;
    private final WalCounters counters;
    private boolean reported;

    private final SnapshotFiles snapshots;
    private final Consumer<SnapshotContent> saved;
    private final long groupBytesMax;
    /** Batches committed while the current snapshot was being written. */
    private int committedMeanwhile;

    /**
     * {@code saved} hears of each snapshot once it is durable, before its callback; {@code groupBytesMax}
     * bounds the groups committed while a snapshot is written.
     */
    GroupCommitter(WalWriter writer, SnapshotFiles snapshots, Consumer<SnapshotContent> saved, long groupBytesMax,
            PendingQueue queue, FatalErrorHandler handler, WalCounters counters) {
        this.groupBytesMax = groupBytesMax;
        this.writer = writer;
        this.snapshots = snapshots;
        this.saved = saved;
        this.queue = queue;
        this.handler = handler;
        this.counters = counters;
    }

    /** Commits {@code group}; returns how many batches were reported durable (0 after a fatal error). */
    int commit(List<PendingQueue.Pending> group) {
        if (group.isEmpty()) {
            return 0;
        }
        if (group.get(0).snapshot() != null) {
            return commitSnapshot(group);
        }
        try {
            for (PendingQueue.Pending pending : group) {
                for (WalRecord record : pending.records()) {
                    writer.append(record);
                }
            }
            writer.sync();
        } catch (IOException e) {
            fatal(new WalFatalException(describe(e, group), e));
            return 0;
        } catch (RuntimeException | Error e) {
            queue.fail(new WalFatalException("the write-ahead log stopped: " + e, e));
            throw e;
        }
        counters.committed(group.size());
        try {
            for (PendingQueue.Pending pending : group) {
                pending.callback().durable(pending.batch().id());
            }
        } catch (RuntimeException | Error e) {
            queue.fail(new WalFatalException("a durable callback threw, so later batches cannot be reported: " + e, e));
            throw e;
        }
        return group.size();
    }

    /**
     * Saves a snapshot durably, reports it, then deletes what it makes redundant: older snapshot files
     * first, then the log segments wholly at or below its slot (order explained on {@link SnapshotFiles}).
     * An I/O error at any step is fatal like a failed batch: the log stops.
     *
     * <p>Between writes of a large snapshot it commits the batches queued behind it ({@link
     * #commitMeanwhile}), so they become durable, and are reported, before the snapshot is. That is safe:
     * until the snapshot is durable nothing is deleted, and recovery uses the previous snapshot and the
     * whole log; once it is, the segments it deletes are those wholly at or below its slot, as before.
     * Returns 1 plus the batches committed meanwhile.
     */
    private int commitSnapshot(List<PendingQueue.Pending> group) {
        if (group.size() != 1) {
            throw new AssertionError("a snapshot must be a group of its own, got " + group.size() + " items");
        }
        PendingQueue.Pending pending = group.get(0);
        SnapshotSave save = pending.snapshot();
        SnapshotContent snapshot;
        try {
            // A view is serialized here, on the committer thread, while the loop goes on applying.
            committedMeanwhile = 0;
            if (save instanceof SnapshotSave.InHand inHand) {
                snapshots.save(inHand.slot(), SnapshotSource.of(inHand.snapshot().data()), this::commitMeanwhile);
                snapshot = inHand.snapshot();
            } else {
                SnapshotSave.Streamed streamed = (SnapshotSave.Streamed) save; // the only other kind
                // Served from its file from now on: it is never whole in the heap.
                snapshot = snapshots.save(streamed.slot(), streamed.source(), this::commitMeanwhile);
            }
        } catch (IOException e) {
            fatal(new WalFatalException("cannot make the snapshot at slot " + save.slot() + " durable: "
                    + e.getMessage() + ". It was not acknowledged; this server must stop. Check the disk, then"
                    + " restart: recovery starts from the previous snapshot and the log, which are intact.", e));
            return 0;
        } catch (RuntimeException | Error e) {
            queue.fail(new WalFatalException("the write-ahead log stopped: " + e, e));
            throw e;
        }
        try {
            saved.accept(snapshot);
            pending.callback().durable(snapshot.slot());
        } catch (RuntimeException | Error e) {
            queue.fail(new WalFatalException("a durable callback threw, so later batches cannot be reported: " + e, e));
            throw e;
        }
        try {
            snapshots.deleteOthers(snapshot.slot());
            writer.compact(snapshot.slot());
        } catch (IOException e) {
            fatal(new WalFatalException("deleting what the snapshot at slot " + snapshot.slot() + " covers failed: "
                    + e.getMessage() + ". The snapshot is durable; this server must stop. Check the disk, then"
                    + " restart: recovery starts from the snapshot and the log above it.", e));
            return 0;
        } catch (RuntimeException | Error e) {
            queue.fail(new WalFatalException("the write-ahead log stopped: " + e, e));
            throw e;
        }
        return 1 + committedMeanwhile;
    }

    /** One group of the batches queued behind the snapshot being written, if any; stops it if the log failed. */
    private void commitMeanwhile() throws IOException {
        List<PendingQueue.Pending> group = queue.pollBatches(groupBytesMax);
        if (group.isEmpty()) {
            return;
        }
        int committed = commit(group);
        if (committed == 0) {
            throw new IOException("the log stopped while the snapshot was being written (see the first error)");
        }
        committedMeanwhile += committed;
    }

    /** Stops the log for good (if not already stopped) and tells the handler, once. */
    void fatal(WalFatalException error) {
        queue.fail(error);
        if (!reported) {
            reported = true;
            handler.onFatal(error);
        }
    }

    private static String describe(IOException e, List<PendingQueue.Pending> group) {
        long first = group.get(0).batch().id();
        long last = group.get(group.size() - 1).batch().id();
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        boolean full = lower.contains("no space left") || lower.contains("not enough space")
                || lower.contains("quota exceeded");
        return "cannot make the write-ahead log durable: " + message + ". Batches " + first + ".." + last
                + " and any later ones were not acknowledged and never will be; this server must stop. "
                + (full ? "The disk is full: free space, then restart the server."
                        : "Check the disk (kernel log, device health), then restart the server.")
                + " Recovery keeps every acknowledged write. A failed fsync is never retried: the kernel may"
                + " have dropped the unsynced pages while reporting a later fsync as successful.";
    }
}
