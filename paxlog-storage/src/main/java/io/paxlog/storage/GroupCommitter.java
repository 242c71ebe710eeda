package io.paxlog.storage;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

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

    GroupCommitter(WalWriter writer, PendingQueue queue, FatalErrorHandler handler, WalCounters counters) {
        this.writer = writer;
        this.queue = queue;
        this.handler = handler;
        this.counters = counters;
    }

    /** Commits {@code group}; returns how many batches were reported durable (0 after a fatal error). */
    int commit(List<PendingQueue.Pending> group) {
        if (group.isEmpty()) {
            return 0;
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
