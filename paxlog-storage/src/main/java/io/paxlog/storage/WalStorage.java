package io.paxlog.storage;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotContent;
import io.paxlog.api.storage.SnapshotStore;
import io.paxlog.api.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A server's durable state in a segmented write-ahead log with group commit (issue 3): the {@link
 * Storage} the core writes its promise, entries and finalize marks to. Format: {@link WalWriter}.
 *
 * <p>It is also the server's {@link SnapshotStore}: {@link #saveSnapshot} queues a snapshot behind the
 * batches written before it; the committer writes it to its own file (serializing a state machine's
 * frozen view there, and committing the batches queued after it between writes of a large one), reports
 * it durable, then deletes older snapshots and the segments it makes redundant (format and order: {@link
 * SnapshotFiles}); it then serves it from that file ({@link #newestContent()}).
 * {@link #recover()} starts from the newest snapshot that verifies and returns only the entries above
 * it (rules: {@link LogRecovery}); {@link #newestSnapshot()} gives that snapshot.
 *
 * <p>Life cycle: {@link #open}, then {@link #recover()} once (it reads the log, repairs an unfinished
 * last write, and in {@link CommitMode#IO_THREAD} starts the I/O thread), then any number of {@link
 * #write}s, then {@link #close()}.
 *
 * <p>Threads and ownership:
 * <ul>
 *   <li>{@code recover()} and {@code close()}: the owner's thread.
 *   <li>{@code write()}: any thread, but calls must be serialized by the caller in batch id order (the
 *       core calls from its one loop thread). It touches only the {@link PendingQueue}.
 *   <li>The committer (the I/O thread, or the thread calling {@link #commitPending()} in manual mode)
 *       owns the {@link WalWriter}, every open file and the counters' writes; it calls the durable
 *       callbacks and the fatal error handler.
 * </ul>
 *
 * <p>Backpressure: {@code write()} never waits for the disk while fewer than {@link
 * WalConfig#queueBatchesMax()} batches and {@link WalConfig#queueBytesMax()} bytes wait (defaults
 * 65,536 and 256 MiB, far above what the core keeps in flight). Beyond either limit, and only then,
 * it blocks the caller until the I/O thread has made room: the disk cannot keep up and the queue must
 * not grow without bound. Where no other thread would make room (manual mode, or a write from a
 * durable callback on the I/O thread) a full queue throws {@link IllegalStateException} instead.
 */
public final class WalStorage implements Storage, SnapshotStore, AutoCloseable {

    private static final long CLOSE_WAIT_MILLIS = 30_000;

    private enum State { NEW, OPEN, CLOSED }

    private final WalConfig config;
    private final FileLayer files;
    private final CommitMode mode;
    private final FatalErrorHandler onFatal;
    private final WalCounters counters = new WalCounters();

    // Set by recover() before any write and before the I/O thread starts; volatile so that writers on
    // other threads see them.
    private volatile State state = State.NEW;
    private volatile PendingQueue queue;
    private volatile RecoveryReport report;
    private WalWriter writer;
    private GroupCommitter committer;
    private volatile Thread ioThread;
    /**
     * The snapshot recovery started from (whole in memory, as recovery read it), then the newest one
     * saved durably (in memory when it came as bytes, else served from its file); null if none.
     */
    private volatile SnapshotContent newest;
    private volatile SnapshotFiles snapshotFiles;
    private volatile List<String> passedOverSnapshots = List.of();

    private WalStorage(WalConfig config, FileLayer files, CommitMode mode, FatalErrorHandler onFatal) {
        this.config = Objects.requireNonNull(config, "config");
        this.files = Objects.requireNonNull(files, "files");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
    }

    /** A log over {@code files}; reads nothing until {@link #recover()}. */
    public static WalStorage open(WalConfig config, FileLayer files, CommitMode mode, FatalErrorHandler onFatal) {
        return new WalStorage(config, files, mode, onFatal);
    }

    /** A server's log in {@code directory} (created if missing), with an I/O thread; exits on fatal errors. */
    public static WalStorage open(Path directory, WalConfig config) throws IOException {
        return new WalStorage(config, new NioFileLayer(directory), CommitMode.IO_THREAD,
                FatalErrorHandler.exitProcess());
    }

    /**
     * Reads the log and returns what was durable (see {@link LogRecovery}).
     *
     * @throws WalCorruptedException when the log cannot be trusted; the server must not start
     * @throws UncheckedIOException  when the files cannot be read or repaired
     */
    @Override
    public synchronized RecoveredState recover() {
        if (state != State.NEW) {
            throw new IllegalStateException("recover() is called once, before any write");
        }
        LogRecovery.Result result;
        try {
            result = LogRecovery.run(files, config.identity(), true, LogRecovery.Listener.NONE);
            writer = new WalWriter(files, config, result.tail(), result.state().promised(), result.segmentMaxSlots(),
                    counters);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover the write-ahead log: " + e.getMessage(), e);
        }
        report = result.report();
        Snapshot recoveredSnapshot = result.snapshots().snapshot();
        newest = recoveredSnapshot;
        passedOverSnapshots = result.snapshots().damaged().stream().map(Object::toString).toList();
        PendingQueue pending = new PendingQueue(new BatchSequence(result.state().promised()),
                config.queueBatchesMax(), config.queueBytesMax(), result.snapshots().slot());
        snapshotFiles = new SnapshotFiles(files, config.identity());
        committer = new GroupCommitter(writer, snapshotFiles, saved -> newest = saved, config.groupBytesMax(),
                pending, onFatal, counters);
        queue = pending;
        state = State.OPEN;
        if (mode == CommitMode.IO_THREAD) {
            ioThread = new Thread(this::runIoThread, "paxlog-wal-io-" + config.identity().serverId());
            // Unacknowledged batches may die with the JVM: they were never reported durable.
            ioThread.setDaemon(true);
            ioThread.start();
        }
        RecoveredState recovered = result.state();
        // Recovery already dropped the entries the snapshot covers; hand both to the core in one piece.
        return recoveredSnapshot == null ? recovered
                : new RecoveredState(recovered.promised(), recovered.entries(), recoveredSnapshot);
    }

    /**
     * Queues {@code batch}; {@code callback.durable(batch.id())} follows once it is fsynced, from the
     * committer thread. Does not wait for the disk unless the queue is over its limits (see above).
     *
     * @throws WalFatalException     when the log stopped after a fatal error
     * @throws IllegalStateException before {@link #recover()} or after {@link #close()}
     * @throws AssertionError        when the batch breaks the core's contract (ids, promise order)
     */
    @Override
    public void write(PersistBatch batch, DurableCallback callback) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(callback, "callback");
        PendingQueue pending = queue;
        if (pending == null) {
            throw new IllegalStateException("write() before recover()");
        }
        // Only another thread's commits make room: not in manual mode, nor inside a durable callback.
        boolean mayWait = mode == CommitMode.IO_THREAD && Thread.currentThread() != ioThread;
        pending.put(batch, callback, mayWait);
    }

    /**
     * Queues {@code snapshot} to be saved after every batch written before it; {@code
     * callback.durable(snapshot.slot())} follows once it is durable (file forced, renamed, directory
     * synced), from the committer thread: the I/O thread, or in manual mode the caller of {@link
     * #commitPending()}. Only after that are older snapshots and the segments wholly at or below its slot
     * deleted. Never waits for the disk unless the queue is full (see above). The data array is not copied.
     *
     * @throws IllegalArgumentException when the snapshot's slot is not above the newest one recovered or
     *                                  queued before
     * @throws WalFatalException        when the log stopped after a fatal error
     * @throws IllegalStateException    before {@link #recover()} or after {@link #close()}
     */
    @Override
    public void saveSnapshot(Snapshot snapshot, DurableCallback callback) {
        Objects.requireNonNull(snapshot, "snapshot");
        queueSnapshot(new SnapshotSave.InHand(snapshot), callback);
    }

    /**
     * Queues the state {@code source} froze at {@code slot}, as {@link #saveSnapshot(Snapshot,
     * DurableCallback)} does; the committer thread writes it into the file (streaming, the checksum
     * computed on the way); from then on it is served from that file ({@link #newestContent()}), never
     * whole in the heap. The caller's thread only queues it.
     */
    @Override
    public void saveSnapshot(long slot, SnapshotSource source, DurableCallback callback) {
        Objects.requireNonNull(source, "source");
        queueSnapshot(new SnapshotSave.Streamed(slot, source), callback);
    }

    private void queueSnapshot(SnapshotSave save, DurableCallback callback) {
        Objects.requireNonNull(callback, "callback");
        PendingQueue pending = queue;
        if (pending == null) {
            throw new IllegalStateException("saveSnapshot() before recover()");
        }
        boolean mayWait = mode == CommitMode.IO_THREAD && Thread.currentThread() != ioThread;
        pending.putSnapshot(save, callback, mayWait);
    }

    /**
     * The snapshot {@link #recover()} started from, or the newest one saved durably since; empty if none.
     * It is the newest snapshot file that verified at start-up: a damaged newer one was passed over only
     * under the rule on {@link LogRecovery} (listed in {@link #passedOverSnapshots()}). One this log
     * saved from a view is read whole from its file, verified, on the caller's thread.
     *
     * @throws IllegalStateException before {@link #recover()}
     */
    @Override
    public Optional<Snapshot> newestSnapshot() {
        if (state == State.NEW) {
            throw new IllegalStateException("newestSnapshot() before recover()");
        }
        SnapshotContent content = newest;
        if (content == null || content instanceof Snapshot) {
            return Optional.ofNullable((Snapshot) content);
        }
        try {
            return Optional.of(snapshotFiles.readWhole(content.slot()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the newest snapshot: " + e.getMessage(), e);
        }
    }

    /**
     * The newest snapshot as the core serves it: {@link #newestSnapshot()}'s, but one this log saved from
     * a view is read from its file a window at a time, never whole.
     */
    @Override
    public Optional<SnapshotContent> newestContent() {
        if (state == State.NEW) {
            throw new IllegalStateException("newestContent() before recover()");
        }
        return Optional.ofNullable(newest);
    }

    /** Damaged snapshot files newer than the one recovery started from, for the operator; empty normally. */
    public List<String> passedOverSnapshots() {
        return passedOverSnapshots;
    }

    /**
     * Manual mode: runs group commits on this thread until nothing is queued, reporting each batch (and
     * each snapshot) durable through its callback. Returns how many batches and snapshots became durable.
     */
    public int commitPending() {
        if (mode != CommitMode.MANUAL) {
            throw new IllegalStateException("commitPending() is for manual commit mode; the I/O thread commits");
        }
        if (state != State.OPEN) {
            throw new IllegalStateException("commitPending() needs an open log, state is " + state);
        }
        int durable = 0;
        List<PendingQueue.Pending> group;
        while (!(group = queue.poll(config.groupBytesMax())).isEmpty()) {
            int committed = committer.commit(group);
            if (committed == 0) {
                break; // fatal error, already reported
            }
            durable += committed;
        }
        return durable;
    }

    /** Batches written but not yet taken by the committer. */
    public int pendingBatches() {
        PendingQueue pending = queue;
        return pending == null ? 0 : pending.size();
    }

    /**
     * Hands every fsync's duration, in nanoseconds, to {@code observer}: a latency histogram, say. It is
     * called on the committing thread (the I/O thread, or the caller of {@link #commitPending()}), so it
     * must be quick and thread-safe. Set it before {@link #recover()} to see recovery's fsyncs too.
     */
    public void observeFsyncs(java.util.function.LongConsumer observer) {
        counters.observeFsyncs(java.util.Objects.requireNonNull(observer, "observer"));
    }

    public WalMetrics metrics() {
        return counters.snapshot();
    }

    /** What {@link #recover()} found and repaired; null before it ran. */
    public RecoveryReport recoveryReport() {
        return report;
    }

    /**
     * Stops the log. With the I/O thread, everything queued is committed (and reported) first; the
     * thread then closes the files and ends. In manual mode, batches not yet committed are dropped
     * unreported, as in a crash.
     *
     * @throws IllegalStateException if the I/O thread has not finished within 30 s (and has not failed)
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        if (was == State.NEW) {
            return;
        }
        queue.close();
        if (mode == CommitMode.MANUAL) {
            closeWriter(); // this thread is the committer
            return;
        }
        if (Thread.currentThread() == ioThread || queue.failure() != null) {
            return; // called from a durable callback, or the log failed: the I/O thread ends on its own
        }
        try {
            ioThread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (ioThread.isAlive() && queue.failure() == null) {
            throw new IllegalStateException("the write-ahead log's I/O thread did not finish its queue within "
                    + CLOSE_WAIT_MILLIS / 1000 + " s (" + queue.size() + " batches left)");
        }
    }

    private void closeWriter() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the write-ahead log failed: " + e.getMessage(), e);
        }
    }

    /** The I/O thread: commits groups until the log closes (queue drained) or fails, then closes the files. */
    private void runIoThread() {
        try {
            List<PendingQueue.Pending> group;
            while ((group = queue.take(config.groupBytesMax())) != null) {
                committer.commit(group);
            }
        } catch (Throwable t) {
            // A bug or a callback that threw: the queue is already failed; make sure someone hears of it.
            committer.fatal(new WalFatalException("the write-ahead log's I/O thread failed: " + t, t));
        }
        try {
            writer.close();
        } catch (IOException e) {
            committer.fatal(new WalFatalException("closing the write-ahead log failed: " + e.getMessage(), e));
        }
    }
}
