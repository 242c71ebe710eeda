package io.paxlog.storage;

/**
 * The live counters behind {@link WalMetrics}.
 *
 * <p>Thread: written only by the committer thread (so {@code ++} on a volatile is safe); read by any.
 */
final class WalCounters {
    private volatile long groups;
    private volatile long batches;
    private volatile long records;
    private volatile long bytes;
    private volatile long forces;
    private volatile long segmentsCreated;
    /** Hears every fsync's duration in nanoseconds, on the committing thread; set before the log opens. */
    private volatile java.util.function.LongConsumer fsyncObserver = nanos -> { };

    void committed(int batchCount) {
        groups++;
        batches += batchCount;
    }

    void appended(int recordBytes) {
        records++;
        bytes += recordBytes;
    }

    void forced(long nanos) {
        forces++;
        fsyncObserver.accept(nanos);
    }

    void observeFsyncs(java.util.function.LongConsumer observer) {
        fsyncObserver = observer;
    }

    void segmentCreated() {
        segmentsCreated++;
    }

    WalMetrics snapshot() {
        return new WalMetrics(groups, batches, records, bytes, forces, segmentsCreated);
    }
}
