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

    /** The entries on disk, as far as the simulation knows they are durable, in slot order. */
    List<SlotState> durableEntries();

    /** What the last {@link #recover()} found and repaired, in one line; null when it has nothing to say. */
    default String lastRecovery() {
        return null;
    }

    /** How the disk was exercised, for reports and tests; zeros for a disk without a real log. */
    default WalDisk.Stats stats() {
        return new WalDisk.Stats();
    }
}
