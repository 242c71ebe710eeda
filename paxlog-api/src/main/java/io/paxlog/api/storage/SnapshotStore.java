package io.paxlog.api.storage;

import java.util.Optional;

/**
 * Keeps a server's snapshots, and lets its log forget what they cover.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #saveSnapshot} must not block on the disk. It calls {@code callback.durable(slot)}
 *       once the snapshot is durable: written whole, checksummed, fsynced, atomically renamed into
 *       place and the directory fsynced. Only then may anything it covers be deleted.
 *   <li>After that, the store may delete log segments wholly at or below the snapshot's slot; the
 *       promise is never lost by doing so.
 *   <li>{@link #newestSnapshot} returns the newest snapshot that verifies; a damaged newer one is
 *       reported, never silently skipped in favour of an older one if the log below it is gone.
 * </ul>
 */
public interface SnapshotStore {

    void saveSnapshot(Snapshot snapshot, Storage.DurableCallback callback);

    Optional<Snapshot> newestSnapshot();
}
