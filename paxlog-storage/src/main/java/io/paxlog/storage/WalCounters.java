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

    void committed(int batchCount) {
        groups++;
        batches += batchCount;
    }

    void appended(int recordBytes) {
        records++;
        bytes += recordBytes;
    }

    void forced() {
        forces++;
    }

    void segmentCreated() {
        segmentsCreated++;
    }

    WalMetrics snapshot() {
        return new WalMetrics(groups, batches, records, bytes, forces, segmentsCreated);
    }
}
