package io.paxlog.api.storage;

/**
 * A server's durable state: its promise and its log entries (docs/protocol.md#durable-state).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #recover()} is called once, before any write, and returns exactly what was durable.
 *   <li>{@link #write} must not block on the disk: it queues the batch. Batches are applied in the
 *       order they are written.
 *   <li>{@code callback.durable(id)} is called once per batch, in id order, only after that batch and
 *       every earlier one are durable (fsynced). It may be called from another thread. Implementations
 *       may let one sync serve many batches (group commit).
 *   <li>A storage that cannot make a batch durable must never report it durable: it stops the server
 *       instead (see the storage module's fatal-error handling).
 * </ul>
 */
public interface Storage {

    RecoveredState recover();

    void write(PersistBatch batch, DurableCallback callback);

    /** Called when a batch and every batch before it are durable. */
    @FunctionalInterface
    interface DurableCallback {
        void durable(long batchId);
    }
}
