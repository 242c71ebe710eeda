package io.paxlog.sim;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.Storage;
import java.util.List;

/**
 * One simulated server's disk: the {@link Storage} its loop writes to, plus what the simulation drives
 * (simulated fsync completions, crashes) and checks. It survives the server's restarts; each
 * incarnation's loop calls {@link #recover()} on it once.
 *
 * <p>Durability reaches the loop through the simulation, never through the callback passed to {@link
 * #write}: the disk asks its {@link Scheduler} for a DURABLE event, and when that event fires the
 * simulation calls {@link #complete} and hands the batch id it returns to the loop (or defers it while
 * the server is paused).
 *
 * <p>A disk that is also a {@link io.paxlog.api.storage.SnapshotStore} ({@link WalDisk}; not the model
 * disk, with which the loop compacts in memory only) reports a saved snapshot differently: through the
 * callback given to {@code saveSnapshot}, called from inside {@link #complete} on the simulation's
 * thread, outside any step, and never for an incarnation that crashed. The server may be paused then:
 * the callback the simulation gives the loop must defer the report as it defers a batch's.
 *
 * <p>Thread: the simulation's one thread.
 */
interface SimStorage extends Storage {

    /** What a disk needs from the simulation. */
    interface Scheduler {
        /** Fires a DURABLE event for this disk at simulated time {@code at}, carrying {@code token}. */
        void durableAt(long at, SimStorage disk, long token);

        long now();

        /** A fresh fsync latency drawn from the seed, in ms. */
        long latencyMs();
    }

    /**
     * The simulated fsync that scheduled {@code token} finished. Returns the highest batch id it made
     * durable, for the loop's {@code persisted}, or 0 when there is nothing to report (a crash lost it).
     */
    long complete(long token);

    /**
     * The server crashed at this instant; what was not durable may be lost. Returns what the crash did
     * to the disk, for the trace.
     */
    String crash();

    /** The promise on disk, as far as the simulation knows it is durable. */
    Epoch durablePromised();

    /**
     * The entries on disk, as far as the simulation knows they are durable, in slot order; only those
     * above {@link #durableSnapshotSlot()}, since recovery may have dropped the ones at or below it.
     */
    List<SlotState> durableEntries();

    /**
     * The slot of the newest snapshot known durable on this disk (acknowledged, or returned by the last
     * recovery); 0 when none, and always 0 for a disk that keeps no snapshots. Every slot at or below it
     * is finalized, with its command in the snapshot rather than in {@link #durableEntries()}.
     */
    default long durableSnapshotSlot() {
        return 0;
    }

    /** What the last {@link #recover()} found and repaired, in one line; null when it has nothing to say. */
    default String lastRecovery() {
        return null;
    }

    /** How the disk was exercised, for reports and tests; zeros for a disk without a real log. */
    default WalDisk.Stats stats() {
        return new WalDisk.Stats();
    }
}
