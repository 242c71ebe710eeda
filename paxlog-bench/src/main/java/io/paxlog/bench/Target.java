package io.paxlog.bench;

import java.util.concurrent.CompletableFuture;

/**
 * A system's client as the closed loop sees it. Both calls must not block (the loop issues the next
 * operation from the completion of the last); each future completes with {@code true} when the operation
 * did what was asked (a put written, a get found its key), {@code false} when the system answered that it
 * did not (a put refused by the state machine, a key not found), and exceptionally when no answer came:
 * {@link #classify} then says whether the operation may have been applied.
 *
 * <p>Threads: called from the loop's threads and from the system's own callback threads; implementations
 * are thread-safe, as every system's asynchronous client is.
 */
public interface Target extends AutoCloseable {

    CompletableFuture<Boolean> put(byte[] key, byte[] value);

    CompletableFuture<Boolean> get(byte[] key);

    /** What a failure means. The default, for a system that does not say: it may have been applied. */
    default Failure classify(Throwable failure) {
        return Failure.UNKNOWN;
    }

    /** How an operation that got no result ended, by what the caller may assume (the outcome rule). */
    enum Failure {
        /** Definitely not applied. */
        NOT_APPLIED,
        /** May have been applied. */
        UNKNOWN
    }

    @Override
    void close();
}
