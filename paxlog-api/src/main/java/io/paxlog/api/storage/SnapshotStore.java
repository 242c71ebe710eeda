package io.paxlog.api.storage;

import io.paxlog.api.SnapshotSource;
import java.util.Optional;

/**
 * Keeps a server's snapshots, and lets its log forget what they cover.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code saveSnapshot} must not block on the disk, nor serialize anything on the caller's thread:
 *       a {@link SnapshotSource} is written by the store's own thread (its I/O thread), while the caller
 *       goes on applying commands. It calls {@code callback.durable(slot)} once the snapshot is durable:
 *       written whole, checksummed, fsynced, atomically renamed into place and the directory fsynced.
 *       Only then may anything it covers be deleted. Snapshots are saved in the order given, each at a
 *       higher slot than the one before.
 *   <li>Once it reported a snapshot durable, {@link #newestSnapshot} returns that one or a newer one,
 *       whole and verified: the runtime serves it to other servers from there ({@link #newestContent}).
 *   <li>After that, the store may delete log segments wholly at or below the snapshot's slot; the
 *       promise is never lost by doing so.
 *   <li>{@link #newestSnapshot} returns the newest snapshot that verifies; a damaged newer one is
 *       reported, never silently skipped in favour of an older one if the log below it is gone.
 * </ul>
 */
public interface SnapshotStore {

    /**
     * Saves the state {@code source} froze after applying every slot up to {@code slot}; the source is
     * written later, on the store's thread (the loop keeps applying meanwhile), and dropped once saved.
     */
    void saveSnapshot(long slot, SnapshotSource source, Storage.DurableCallback callback);

    /** Saves a snapshot whose bytes are already in hand (one received from another server). */
    default void saveSnapshot(Snapshot snapshot, Storage.DurableCallback callback) {
        saveSnapshot(snapshot.slot(), SnapshotSource.of(snapshot.data()), callback);
    }

    /**
     * The newest snapshot, whole: for recovery, tests and tools. A store that keeps it in a file reads the
     * file, so the loop thread uses {@link #newestContent()} instead.
     */
    Optional<Snapshot> newestSnapshot();

    /**
     * The newest snapshot as the core serves it, without reading it whole: the loop takes it once the
     * store reported a save durable. The default is {@link #newestSnapshot()}, for stores that keep
     * snapshots in memory.
     */
    default Optional<SnapshotContent> newestContent() {
        return newestSnapshot().map(SnapshotContent.class::cast);
    }
}
