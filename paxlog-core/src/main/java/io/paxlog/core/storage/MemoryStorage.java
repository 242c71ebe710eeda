package io.paxlog.core.storage;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Storage;

/**
 * A {@link Storage} in memory, for tests and examples: a write is "durable" as soon as it is
 * written, and {@link #recover()} returns everything written so far, as a restarted server on a
 * perfect disk would find it. It survives as long as the object does, so a test can restart a
 * server on the same instance.
 *
 * <p>Thread: not thread-safe; use it from the thread that owns the server's loop.
 */
public final class MemoryStorage implements Storage {

    private final DurableImage image = new DurableImage();
    private long writes;

    @Override
    public RecoveredState recover() {
        return image.recovered();
    }

    @Override
    public void write(PersistBatch batch, DurableCallback callback) {
        image.apply(batch);
        writes++;
        callback.durable(batch.id());
    }

    /** How many batches were written; a test can check that work was batched. */
    public long writes() {
        return writes;
    }
}
