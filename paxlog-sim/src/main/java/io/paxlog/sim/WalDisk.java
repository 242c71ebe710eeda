package io.paxlog.sim;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
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
import java.util.List;
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
 * nothing invented. A recovery that returns anything else, or that refuses to start ({@link
 * WalCorruptedException}) after crashes the fault model allows, is a violation naming the crash that
 * led to it. {@link Checker#durablyAccepted} hears of an entry when it becomes durable: when the log
 * reports its batch durable, or when a recovery finds a write that was in flight (recovery forces it).
 *
 * <p>Determinism: the memory disk and the log in manual mode use no clock, thread or unseeded
 * randomness; every choice here comes from this disk's own random stream, split from the seed.
 */
final class WalDisk implements SimStorage {

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
        }

        @Override
        public String toString() {
            return "commits=" + commits + " batches_durable=" + batchesDurable + " crashes=" + crashes
                    + " crashes_in_commit=" + crashesInCommit + " fsync_failures=" + fsyncFailures
                    + " recoveries=" + recoveries + " recovery_crashes=" + recoveryCrashes + " torn_tails_cut="
                    + tornTailsCut + " segments_removed=" + segmentsRemoved + " unacknowledged_kept="
                    + unacknowledgedKept + " segment_files=" + segmentFiles + " log_bytes=" + logBytes;
        }
    }

    static final long SEGMENT_BYTES_MIN = 4096;
    /** One fsync in this many stalls (a busy or failing device), for up to {@link #STALL_MAX_MS}. */
    static final int STALL_ONE_IN = 200;
    static final long STALL_MAX_MS = 150;
    /** A crash that meets a commit lands before one of its next this many disk operations. */
    static final int CRASH_OPERATIONS_AHEAD = 8;
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
    /** Written by the loop, not yet handed to the log: they wait for the fsync in flight. */
    private final ArrayDeque<PersistBatch> waiting = new ArrayDeque<>();
    /**
     * Handed to the log, not yet reported durable, in id order. After a crash, recovery may find any
     * prefix of their records (batches still {@link #waiting} never reached the log); cleared by recovery.
     */
    private final ArrayDeque<PersistBatch> unacknowledged = new ArrayDeque<>();
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
        List<PersistBatch> written = new ArrayList<>(unacknowledged);
        int kept = model.recovered(state, written, entry ->
                checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command()));
        if (kept < 0) {
            throw new Violation("server " + serverId + ": recovery returned a state that is not the durable one"
                    + " plus part of the " + written.size() + " unacknowledged batch(es), after " + lastCrash
                    + " (" + configSummary() + "); first difference from the durable state: "
                    + model.firstDifference(state) + "; recovery: " + report.summary());
        }
        if (kept > 0) {
            stats.unacknowledgedKept++;
        }
        lastRecovery = report.tornFile() == null && report.removedSegment() == null && kept == 0 ? null
                : report.summary() + "; kept " + kept + " record(s) never acknowledged";
        unacknowledged.clear();
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
        waiting.add(batch);
        if (syncing == 0) {
            startSync();
        }
    }

    private void startSync() {
        for (PersistBatch batch : waiting) {
            log.write(batch, this::reportedDurable);
            unacknowledged.add(batch);
        }
        waiting.clear();
        syncing = ++lastToken;
        long latency = scheduler.latencyMs();
        if (random.nextInt(STALL_ONE_IN) == 0) {
            latency += random.nextLong(STALL_MAX_MS);
        }
        scheduler.durableAt(scheduler.now() + latency, this, syncing);
    }

    /** The log's durable callback, from inside {@code commitPending()}. */
    private void reportedDurable(long batchId) {
        PersistBatch batch = unacknowledged.poll();
        if (batch == null || batch.id() != batchId) {
            throw new Violation("server " + serverId + ": the log reported batch " + batchId + " durable, expected "
                    + (batch == null ? "none" : batch.id()));
        }
        model.apply(batch, entry -> checker.durablyAccepted(serverId, entry.slot(), entry.epoch(), entry.command()));
        lastDurable = batchId;
        stats.batchesDurable++;
    }

    private void onFatal(WalFatalException error) {
        fatal = error; // must not throw: the crash or commit that caused it reports it
    }

    @Override
    public long complete(long token) {
        if (token != syncing) {
            return 0; // an fsync of an incarnation that crashed
        }
        syncing = 0;
        long before = lastDurable;
        log.commitPending();
        stats.commits++;
        if (fatal != null) {
            throw new Violation("server " + serverId + ": the write-ahead log failed with no fault injected: "
                    + fatal.getMessage());
        }
        if (!unacknowledged.isEmpty()) {
            throw new Violation("server " + serverId + ": commitPending() left " + unacknowledged.size()
                    + " batch(es) unacknowledged");
        }
        if (!waiting.isEmpty()) {
            startSync();
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
            if (random.nextInt(FSYNC_FAILURE_ONE_IN) == 0) {
                failFsync(unacked);
                how.append("fsync failed with ").append(unacked).append(" batch(es) in flight, server stopped; ");
            } else {
                long ahead = random.nextInt(CRASH_OPERATIONS_AHEAD);
                files.crashAtOperation(files.operationCount() + ahead);
                try {
                    log.commitPending();
                    how.append("crashed after the commit in flight finished; ");
                } catch (DiskCrashedException e) {
                    how.append("crashed in a commit (").append(unacked - unacknowledged.size()).append(" of ")
                            .append(unacked).append(" batch(es) durable) before disk operation +").append(ahead)
                            .append("; ");
                }
            }
        }
        CrashMode mode = crashMode();
        how.append(describe(mode));
        files = files.crash(mode);
        log = null; // dropped unclosed, as a dead process leaves it
        waiting.clear();
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
                    + " batch(es) durable after its fsync failed");
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

    @Override
    public List<SlotState> durableEntries() {
        return model.entries();
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
        List<String> names = files.list();
        now.segmentFiles = names.size();
        for (String name : names) {
            try {
                now.logBytes += files.contents(name).length;
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalStateException(e);
            }
        }
        return now;
    }
}
