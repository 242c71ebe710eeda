package io.paxlog.sim;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.SnapshotSource;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotContent;
import io.paxlog.api.storage.SnapshotStore;
import io.paxlog.storage.CommitMode;
import io.paxlog.storage.RecoveryReport;
import io.paxlog.storage.SegmentIdentity;
import io.paxlog.storage.WalConfig;
import io.paxlog.storage.WalCorruptedException;
import io.paxlog.storage.WalFatalException;
import io.paxlog.storage.WalStorage;
import io.paxlog.storage.memory.CrashMode;
import io.paxlog.storage.memory.DiskCrashedException;
import io.paxlog.storage.memory.MemoryDisk;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One server's disk in the simulation, running the real write-ahead log ({@link WalStorage}, manual
 * commit mode) over the in-memory file layer ({@link MemoryDisk}), so that the simulator's crashes
 * exercise the real write path and the real recovery (issue 3). The memory disk is what survives the
 * server's restarts; each incarnation opens a new log on it and recovers.
 *
 * <p>Timing is group commit with one fsync in flight, as with the log's I/O thread: a batch the loop
 * writes waits while an fsync runs, then joins the next group. Starting a group hands its batches to
 * the log and schedules the fsync's completion after a simulated latency (now and then a stall); at
 * that DURABLE event {@link WalStorage#commitPending()} writes, forces and reports the group durable.
 *
 * <p>Snapshots ({@link SnapshotStore}): {@link #saveSnapshot} queues a snapshot behind the batches
 * written before it, and it is saved as a simulated fsync of its own (the log saves a snapshot as a group
 * of its own: temp file, force, rename, directory sync), started only once every batch before it was
 * reported durable; batches written after it wait for it. Its callback fires at that fsync's DURABLE
 * event, from inside {@link #complete}, on the simulation's thread, outside any step of the loop, after
 * the disk has started its next fsync (so the callback may write and save again); that {@code
 * complete} returns 0, as the same event never also makes batches durable. So the loop always hears of
 * the batches before a snapshot (through {@code complete}'s return value) before it hears of the
 * snapshot. The callback never fires for an incarnation that crashed: a snapshot the crash's own
 * commit made durable counts as durable for the checks, but its report dies with the process. The
 * commit also deletes older snapshots and the segments the snapshot covers, so crashes land there too.
 *
 * <p>A crash ({@link #crash()}) first decides how it meets the group in flight, if any: it lands
 * before one of the next few operations of the memory disk (a write, a force, a segment creation, a
 * directory sync), so that the commit stops half done; or the fsync fails with an I/O error and the
 * log takes its fatal-error path. Then the machine loses power with everything unsynced dropped, or
 * with the last write torn at a random byte (the rest old bytes, or garbage), or only the process dies
 * and the operating system keeps its unsynced writes. A restart ({@link #recover()}) sometimes crashes
 * again in the middle of recovery's own repair.
 *
 * <p>Checks: a {@link DurableModel} follows what the log reported durable. Every recovery must return
 * that state plus a prefix of the records written but never acknowledged: nothing acknowledged lost,
 * nothing invented; with snapshots, the acknowledged snapshot or the newer one in flight, and only the
 * entries above it. A recovery that returns anything else, or that refuses to start ({@link
 * WalCorruptedException}) after crashes the fault model allows, is a violation naming the crash that
 * led to it. {@link Checker#durablyAccepted} hears of an entry when it becomes durable: when the log
 * reports its batch durable, or when a recovery finds a write that was in flight (recovery forces it).
 *
 * <p>Determinism: the memory disk and the log in manual mode use no clock, thread or unseeded
 * randomness; every choice here comes from this disk's own random stream, split from the seed.
 */
final class WalDisk implements SimStorage, SnapshotStore {

    /** Counts of what the disk went through, summed over a run; for reports and tests. */
    static final class Stats {
        long commits;
        long batchesDurable;
        long crashes;
        /** Crashes that met a group in flight and stopped its commit part way (or let it finish). */
        long crashesInCommit;
        long fsyncFailures;
        long recoveries;
        long recoveryCrashes;
        long tornTailsCut;
        long segmentsRemoved;
        /** Recoveries that found records of writes never acknowledged (a process crash, or a lucky tear). */
        long unacknowledgedKept;
        /** Segment files on the disks at the end, and the bytes in them. */
        long segmentFiles;
        long logBytes;
        /** Snapshots the log reported durable (in {@code complete} or in a crash's commit). */
        long snapshotsDurable;
        /** Crashes that met a snapshot save in flight, before it was durable or while deleting what it covers. */
        long crashesInSnapshot;
        /** Of those, crashes after the snapshot was durable, in the deletion of older snapshots and segments. */
        long crashesInCompaction;
        /** Recoveries that returned a snapshot never acknowledged (saved, then the crash came before the report). */
        long unacknowledgedSnapshotsKept;
        /** Segments deleted because a snapshot covered them. */
        long segmentsCompacted;
        /** Snapshot files on the disks at the end (normally one per disk that has any). */
        long snapshotFiles;

        void add(Stats other) {
            commits += other.commits;
            batchesDurable += other.batchesDurable;
            crashes += other.crashes;
            crashesInCommit += other.crashesInCommit;
            fsyncFailures += other.fsyncFailures;
            recoveries += other.recoveries;
            recoveryCrashes += other.recoveryCrashes;
            tornTailsCut += other.tornTailsCut;
            segmentsRemoved += other.segmentsRemoved;
            unacknowledgedKept += other.unacknowledgedKept;
            segmentFiles += other.segmentFiles;
            logBytes += other.logBytes;
            snapshotsDurable += other.snapshotsDurable;
            crashesInSnapshot += other.crashesInSnapshot;
            crashesInCompaction += other.crashesInCompaction;
            unacknowledgedSnapshotsKept += other.unacknowledgedSnapshotsKept;
            segmentsCompacted += other.segmentsCompacted;
            snapshotFiles += other.snapshotFiles;
        }

        @Override
        public String toString() {
            return "commits=" + commits + " batches_durable=" + batchesDurable + " crashes=" + crashes
                    + " crashes_in_commit=" + crashesInCommit + " fsync_failures=" + fsyncFailures
                    + " recoveries=" + recoveries + " recovery_crashes=" + recoveryCrashes + " torn_tails_cut="
                    + tornTailsCut + " segments_removed=" + segmentsRemoved + " unacknowledged_kept="
                    + unacknowledgedKept + " segment_files=" + segmentFiles + " log_bytes=" + logBytes
                    + " snapshots_durable=" + snapshotsDurable + " crashes_in_snapshot=" + crashesInSnapshot
                    + " crashes_in_compaction=" + crashesInCompaction + " unacknowledged_snapshots_kept="
                    + unacknowledgedSnapshotsKept + " segments_compacted=" + segmentsCompacted + " snapshot_files="
                    + snapshotFiles;
        }
    }

    static final long SEGMENT_BYTES_MIN = 4096;
    /** One fsync in this many stalls (a busy or failing device), for up to {@link #STALL_MAX_MS}. */
    static final int STALL_ONE_IN = 200;
    static final long STALL_MAX_MS = 150;
    /** A crash that meets a commit lands before one of its next this many disk operations. */
    static final int CRASH_OPERATIONS_AHEAD = 8;
    /**
     * A crash that meets a snapshot save lands before one of its next this many operations: saving takes
     * 6 (create, 2 writes, force, rename, directory sync), deleting the older snapshot 2 and each covered
     * segment 2 more, so the crash reaches into the deletions too.
     */
    static final int SNAPSHOT_CRASH_OPERATIONS_AHEAD = 16;
    /** One crash in this many that meets a commit is a failing fsync instead. */
    static final int FSYNC_FAILURE_ONE_IN = 6;
    /** One restart in this many crashes again inside recovery (before one of its next 4 operations). */
    static final int RECOVERY_CRASH_ONE_IN = 8;

    private final int serverId;
    private final Scheduler scheduler;
    private final Checker checker;
    private final SplittableRandom random;
    private final WalConfig config;
    private final DurableModel model;
    private final Stats stats = new Stats();
    /**
     * A batch the loop handed over ({@code write}), or a snapshot: its slot, the frozen view to write and
     * its callback (all unset for a batch).
     */
    private record Queued(DurableModel.Write write, long snapshotSlot, SnapshotSource source,
            DurableCallback snapshotCallback) {

        static Queued batch(DurableModel.Write write) {
            return new Queued(write, 0, null, null);
        }

        boolean isSnapshot() {
            return source != null;
        }
    }

    /** Written by the loop, not yet handed to the log: they wait for the fsync in flight. */
    private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
    /**
     * Handed to the log, not yet reported durable, in order: batches, or one snapshot alone. After a
     * crash, recovery may find any prefix of their records (writes still {@link #waiting} never reached
     * the log); cleared by recovery.
     */
    private final ArrayDeque<DurableModel.Write> unacknowledged = new ArrayDeque<>();
    /**
     * Snapshot callbacks the log fired inside the current {@code commitPending()}, delivered at the end of
     * {@link #complete}; cleared by a crash, so a crashed incarnation's loop never hears of its snapshot.
     */
    private final List<Runnable> snapshotReports = new ArrayList<>();
    /** Slot of the newest snapshot recovered or queued in this incarnation; each new one must be above it. */
    private long snapshotSlotQueued;
    private MemoryDisk files = new MemoryDisk();
    /** This incarnation's log; null between a crash and the next recovery. */
    private WalStorage log;
    /** Identifies the fsync in flight; 0 when none runs. Never reused, so a crashed one is ignored. */
    private long syncing;
    private long lastToken;
    /** The highest batch id this incarnation's log reported durable. */
    private long lastDurable;
    private WalFatalException fatal;
    /** How the disk got into its current state, for a violation report. */
    private String lastCrash = "never crashed";
    /** What the last recovery did, when it found anything to repair or keep; else null. */
    private String lastRecovery;

    WalDisk(int serverId, Scheduler scheduler, Checker checker, SplittableRandom random) {
        this.serverId = serverId;
        this.scheduler = scheduler;
        this.checker = checker;
        this.random = random;
        this.model = new DurableModel(serverId);
        // Small segments roll often (every few dozen records), so crashes also land in segment creation;
        // preallocation changes how a segment ends (zeros) and which syncs a commit needs. Small groups
        // split a commit into several. Segments stay within 4..16 KiB for speed: the memory disk copies a
        // segment on every fsync and walks every file on every write.
        this.config = new WalConfig(new SegmentIdentity("sim", serverId), SEGMENT_BYTES_MIN << random.nextInt(3),
                random.nextBoolean(), WalConfig.QUEUE_BATCHES_MAX_DEFAULT, WalConfig.QUEUE_BYTES_MAX_DEFAULT,
                4096 << random.nextInt(5));
    }

    @Override
    public RecoveredState recover() {
        if (log != null) {
            throw new IllegalStateException("recover() is called once per incarnation, after a crash");
        }
        boolean crashInside = !files.list().isEmpty() && random.nextInt(RECOVERY_CRASH_ONE_IN) == 0;
        RecoveredState state;
        while (true) {
            WalStorage opened = WalStorage.open(config, files, CommitMode.MANUAL, this::onFatal);
            if (crashInside) {
                files.crashAtOperation(files.operationCount() + random.nextInt(4));
            }
            try {
                state = opened.recover();
            } catch (DiskCrashedException e) {
                CrashMode mode = crashMode();
                lastCrash = lastCrash + "; then crashed inside recovery (" + describe(mode) + ")";
                files = files.crash(mode);
                stats.recoveryCrashes++;
                crashInside = false;
                continue;
            } catch (WalCorruptedException | UncheckedIOException e) {
                throw new Violation("server " + serverId + ": the real write-ahead log refused to recover after "
                        + lastCrash + " (" + configSummary() + "): " + e.getMessage());
            }
            if (crashInside) {
                files.crashAtOperation(Long.MAX_VALUE); // recovery finished before the crash point
            }
            log = opened;
            break;
        }
        RecoveryReport report = log.recoveryReport();
        stats.recoveries++;
        stats.tornTailsCut += report.tornFile() != null ? 1 : 0;
        stats.segmentsRemoved += report.removedSegment() != null ? 1 : 0;
        List<DurableModel.Write> written = new ArrayList<>(unacknowledged);
        long acknowledgedSnapshotSlot = model.snapshotSlot();
        int kept = model.recovered(state, written, entry ->
                checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command()));
        if (kept < 0) {
            throw new Violation("server " + serverId + ": recovery returned a state that is not the durable one"
                    + " plus part of the " + written.size() + " unacknowledged write(s) " + written + ", after " + lastCrash
                    + " (" + configSummary() + "); first difference from the durable state: "
                    + model.firstDifference(state) + "; recovery: " + report.summary());
        }
        if (kept > 0) {
            stats.unacknowledgedKept++;
        }
        snapshotSlotQueued = model.snapshotSlot();
        if (snapshotSlotQueued > acknowledgedSnapshotSlot) {
            stats.unacknowledgedSnapshotsKept++;
        }
        lastRecovery = report.tornFile() == null && report.removedSegment() == null && kept == 0 ? null
                : report.summary() + "; kept " + kept + " record(s) never acknowledged";
        unacknowledged.clear();
        snapshotReports.clear();
        lastDurable = 0;
        return state;
    }

    /**
     * Queues {@code batch}; the simulation reports it durable (see {@link SimStorage}), so {@code
     * callback} is not used.
     */
    @Override
    public void write(PersistBatch batch, DurableCallback callback) {
        if (log == null) {
            throw new IllegalStateException("write() on a crashed disk, before recover()");
        }
        waiting.add(Queued.batch(DurableModel.Write.of(batch)));
        if (syncing == 0) {
            startSync();
        }
    }

    /**
     * Queues the state {@code source} froze at {@code slot} behind every batch written so far; {@code
     * callback.durable(slot)} fires once the log saved it, from inside {@link #complete} (see the class
     * comment for exactly when), never after a {@link #crash()}. The view is written only when its fsync
     * starts, at a later simulated time, after the loop applied whatever came meanwhile: as the log's I/O
     * thread writes it while the loop goes on, so a view that is not truly frozen shows in the checks.
     *
     * @throws IllegalArgumentException when its slot is not above the newest snapshot recovered or queued
     *     (checked here, since the log sees it only when its fsync starts)
     */
    @Override
    public void saveSnapshot(long slot, SnapshotSource source, DurableCallback callback) {
        if (log == null) {
            throw new IllegalStateException("saveSnapshot() on a crashed disk, before recover()");
        }
        if (slot <= snapshotSlotQueued) {
            throw new IllegalArgumentException("a snapshot at slot " + slot
                    + " is not newer than the one at slot " + snapshotSlotQueued);
        }
        snapshotSlotQueued = slot;
        waiting.add(new Queued(null, slot, source, callback));
        if (syncing == 0) {
            startSync();
        }
    }

    @Override
    public Optional<Snapshot> newestSnapshot() {
        if (log == null) {
            throw new IllegalStateException("newestSnapshot() on a crashed disk, before recover()");
        }
        return log.newestSnapshot();
    }

    @Override
    public Optional<SnapshotContent> newestContent() {
        if (log == null) {
            throw new IllegalStateException("newestContent() on a crashed disk, before recover()");
        }
        return log.newestContent();
    }

    /**
     * Hands the log the next fsync's work: a snapshot alone when one is first in line, else the batches
     * up to the next snapshot. A snapshot thus waits for the batches before it to be reported, and the
     * batches after it wait for it, as they do behind the log's own queue.
     */
    private void startSync() {
        long latency = scheduler.latencyMs();
        Queued head = waiting.peek();
        if (head.isSnapshot()) {
            waiting.poll();
            // Written now, at this simulated time: the bytes the log's I/O thread would stream to the file.
            // The model needs them whole (to tell what a crash may have left), so they are written into
            // memory here and the log streams them through the same save path as any view.
            Snapshot snapshot = new Snapshot(head.snapshotSlot(), head.source().toByteArray());
            DurableCallback callback = head.snapshotCallback();
            log.saveSnapshot(snapshot.slot(), SnapshotSource.of(snapshot.data()),
                    slot -> reportedSnapshotDurable(snapshot, slot, callback));
            unacknowledged.add(DurableModel.Write.of(snapshot));
            latency += scheduler.latencyMs(); // the file's fsync, then the directory's
        } else {
            while (!waiting.isEmpty() && !waiting.peek().isSnapshot()) {
                DurableModel.Write write = waiting.poll().write();
                log.write(write.batch(), this::reportedDurable);
                unacknowledged.add(write);
            }
        }
        syncing = ++lastToken;
        if (random.nextInt(STALL_ONE_IN) == 0) {
            latency += random.nextLong(STALL_MAX_MS);
        }
        scheduler.durableAt(scheduler.now() + latency, this, syncing);
    }

    /** The log's durable callback, from inside {@code commitPending()}. */
    private void reportedDurable(long batchId) {
        DurableModel.Write write = unacknowledged.poll();
        if (write == null || write.batch() == null || write.batch().id() != batchId) {
            throw new Violation("server " + serverId + ": the log reported batch " + batchId + " durable, expected "
                    + (write == null ? "nothing" : write));
        }
        model.apply(write.batch(), entry ->
                checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command()));
        lastDurable = batchId;
        stats.batchesDurable++;
    }

    /**
     * The log's callback for a snapshot, from inside {@code commitPending()}: it is durable now (the
     * model holds it from here on, even if a crash interrupts the deletions that follow), but the loop
     * hears of it only at the end of {@link #complete}, outside the log's commit.
     */
    private void reportedSnapshotDurable(Snapshot snapshot, long slot, DurableCallback callback) {
        DurableModel.Write write = unacknowledged.poll();
        if (write == null || write.snapshot() != snapshot || slot != snapshot.slot()) {
            throw new Violation("server " + serverId + ": the log reported snapshot at slot " + slot
                    + " durable, expected " + (write == null ? "nothing" : write));
        }
        // What the core will serve, piece by piece from the file, and the file read whole: both must be
        // exactly the bytes the view wrote.
        Snapshot readBack = log.newestSnapshot().orElse(null);
        SnapshotContent served = log.newestContent().orElse(null);
        if (!snapshot.equals(readBack) || served == null || served.slot() != slot
                || served.size() != snapshot.size() || served.checksum() != snapshot.checksum()
                || !Arrays.equals(served.read(0, (int) served.size()), snapshot.data())) {
            throw new Violation("server " + serverId + ": the log reported snapshot at slot " + slot
                    + " durable, but its newest snapshot is " + readBack + " (served as " + served
                    + "), not the bytes it was given");
        }
        model.snapshotDurable(snapshot);
        stats.snapshotsDurable++;
        snapshotReports.add(() -> callback.durable(slot));
    }

    private void onFatal(WalFatalException error) {
        fatal = error; // must not throw: the crash or commit that caused it reports it
    }

    @Override
    public long complete(long token) {
        if (token == 0 || token != syncing) {
            return 0; // none in flight, or an fsync of an incarnation that crashed
        }
        syncing = 0;
        long before = lastDurable;
        boolean snapshot = unacknowledged.peek() != null && unacknowledged.peek().snapshot() != null;
        int segmentsBefore = snapshot ? segmentCount() : 0;
        log.commitPending();
        stats.commits++;
        if (snapshot) {
            stats.segmentsCompacted += segmentsBefore - segmentCount();
        }
        if (fatal != null) {
            throw new Violation("server " + serverId + ": the write-ahead log failed with no fault injected: "
                    + fatal.getMessage());
        }
        if (!unacknowledged.isEmpty()) {
            throw new Violation("server " + serverId + ": commitPending() left " + unacknowledged.size()
                    + " write(s) unacknowledged");
        }
        if (!waiting.isEmpty()) {
            startSync();
        }
        // Last, with the disk's state settled: a callback may step the loop, which may write or save again.
        List<Runnable> reports = List.copyOf(snapshotReports);
        snapshotReports.clear();
        for (Runnable report : reports) {
            report.run();
        }
        return lastDurable > before ? lastDurable : 0;
    }

    @Override
    public String crash() {
        if (log == null) {
            throw new IllegalStateException("crash() of a disk whose server is down");
        }
        StringBuilder how = new StringBuilder();
        if (syncing != 0) {
            stats.crashesInCommit++;
            int unacked = unacknowledged.size();
            Snapshot saving = unacknowledged.isEmpty() ? null : unacknowledged.peek().snapshot();
            if (saving != null) {
                stats.crashesInSnapshot++;
            }
            if (random.nextInt(FSYNC_FAILURE_ONE_IN) == 0) {
                failFsync(unacked);
                how.append("fsync failed with ").append(unacked).append(" write(s) in flight, server stopped; ");
            } else {
                long ahead = random.nextInt(saving != null ? SNAPSHOT_CRASH_OPERATIONS_AHEAD : CRASH_OPERATIONS_AHEAD);
                files.crashAtOperation(files.operationCount() + ahead);
                try {
                    log.commitPending();
                    how.append("crashed after the commit in flight finished; ");
                } catch (DiskCrashedException e) {
                    if (saving != null && unacknowledged.isEmpty()) {
                        stats.crashesInCompaction++;
                        how.append("crashed deleting what the durable ").append(saving)
                                .append(" covers, before disk operation +").append(ahead).append("; ");
                    } else if (saving != null) {
                        how.append("crashed saving ").append(saving).append(" before disk operation +")
                                .append(ahead).append("; ");
                    } else {
                        how.append("crashed in a commit (").append(unacked - unacknowledged.size()).append(" of ")
                                .append(unacked).append(" batch(es) durable) before disk operation +").append(ahead)
                                .append("; ");
                    }
                }
            }
        }
        CrashMode mode = crashMode();
        how.append(describe(mode));
        files = files.crash(mode);
        log = null; // dropped unclosed, as a dead process leaves it
        waiting.clear();
        snapshotReports.clear(); // the crash's own commit may have saved a snapshot: its process is gone
        snapshotSlotQueued = 0;
        syncing = 0;
        fatal = null;
        stats.crashes++;
        lastCrash = how.toString();
        return lastCrash;
    }

    /** The next fsync fails: the log must stop and report none of the batches in flight durable. */
    private void failFsync(int unacked) {
        files.failOperations(MemoryDisk.Operation.FORCE, 0, "Input/output error (simulated)");
        log.commitPending();
        stats.fsyncFailures++;
        if (fatal == null) {
            throw new Violation("server " + serverId + ": an fsync failed but the log did not report it fatal");
        }
        if (unacknowledged.size() != unacked) {
            throw new Violation("server " + serverId + ": the log reported " + (unacked - unacknowledged.size())
                    + " write(s) durable after its fsync failed");
        }
    }

    /** What survives the crash: chosen from the seed. */
    private CrashMode crashMode() {
        int torn = Math.max(0, files.unsyncedLastWriteLength());
        return switch (random.nextInt(4)) {
            case 0 -> CrashMode.dropUnsynced();
            case 1 -> CrashMode.tearLastWrite(random.nextInt(torn + 1));
            case 2 -> CrashMode.tearLastWriteWithGarbage(random.nextInt(torn + 1), random.nextLong());
            default -> CrashMode.processOnly();
        };
    }

    private String describe(CrashMode mode) {
        int unsynced = files.unsyncedLastWriteLength();
        String last = unsynced < 0 ? "no unsynced write" : "an unsynced write of " + unsynced + " bytes";
        return switch (mode.kind()) {
            case DROP_UNSYNCED -> "power loss dropping unsynced data (" + last + ")";
            case TEAR_LAST_WRITE -> "power loss tearing the last write after " + mode.keptBytes() + " bytes (" + last
                    + ")";
            case TEAR_LAST_WRITE_WITH_GARBAGE -> "power loss tearing the last write after " + mode.keptBytes()
                    + " bytes, garbage after (" + last + ")";
            case PROCESS_ONLY -> "process crash, the OS keeps unsynced writes (" + last + ")";
        };
    }

    private String configSummary() {
        return "segments of " + config.segmentBytes() + " bytes" + (config.preallocate() ? " preallocated" : "")
                + ", groups up to " + config.groupBytesMax() + " bytes";
    }

    @Override
    public Epoch durablePromised() {
        return model.promised();
    }

    /** The entries above the durable snapshot (the ones at or below it may be gone from the disk). */
    @Override
    public List<SlotState> durableEntries() {
        return model.entries();
    }

    @Override
    public long durableSnapshotSlot() {
        return model.snapshotSlot();
    }

    /** The newest snapshot the log reported durable or recovery returned; null when none. */
    Snapshot durableSnapshot() {
        return model.snapshot();
    }

    private int segmentCount() {
        int segments = 0;
        for (String name : files.list()) {
            segments += isSnapshotFile(name) ? 0 : 1;
        }
        return segments;
    }

    /** Snapshot files and their temp files, beside the segments (names: the storage's SnapshotFiles). */
    private static boolean isSnapshotFile(String name) {
        return name.startsWith("snapshot-");
    }

    /** The in-memory disk as it is now, for tests that damage it behind the log's back. */
    MemoryDisk files() {
        return files;
    }

    @Override
    public String lastRecovery() {
        return lastRecovery;
    }

    @Override
    public Stats stats() {
        Stats now = new Stats();
        now.add(stats);
        for (String name : files.list()) {
            if (isSnapshotFile(name)) {
                now.snapshotFiles++;
                continue;
            }
            now.segmentFiles++;
            try {
                now.logBytes += files.contents(name).length;
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalStateException(e);
            }
        }
        return now;
    }
}
