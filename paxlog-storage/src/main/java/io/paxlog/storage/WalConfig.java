package io.paxlog.storage;

/**
 * Settings of one server's write-ahead log. Each server may tune them; none must match across the
 * cluster. Validated here, so a bad value fails at start-up rather than at the first write.
 *
 * @param identity        the cluster and server this log belongs to; written in every segment header and
 *                        required of every segment on recovery
 * @param segmentBytes    a segment is closed and the next one started once the next record would cross
 *                        this size (a single larger record gets a segment of its own)
 * @param preallocate     fill each new segment with zeros to {@code segmentBytes} when creating it, so
 *                        that appends overwrite allocated blocks and each group commit needs only a data
 *                        sync (fdatasync), not a metadata one
 * @param queueBatchesMax most batches waiting for the committer; see {@link WalStorage#write}
 * @param queueBytesMax   most encoded bytes waiting for the committer; see {@link WalStorage#write}
 * @param groupBytesMax   most bytes one group commit writes before its fsync; more queued batches go to
 *                        the next group at once. Bounds the write buffer.
 */
public record WalConfig(SegmentIdentity identity, long segmentBytes, boolean preallocate, int queueBatchesMax,
        long queueBytesMax, int groupBytesMax) {

    public static final long SEGMENT_BYTES_DEFAULT = 64L << 20;
    public static final int QUEUE_BATCHES_MAX_DEFAULT = 1 << 16;
    public static final long QUEUE_BYTES_MAX_DEFAULT = 256L << 20;
    public static final int GROUP_BYTES_MAX_DEFAULT = 4 << 20;

    /** Smallest segment: a header and a few small records, for tests that roll segments often. */
    static final long SEGMENT_BYTES_MIN = 256;
    static final long SEGMENT_BYTES_LIMIT = 1L << 30;

    public WalConfig {
        if (identity == null) {
            throw new IllegalArgumentException("the log needs the cluster and server identity");
        }
        if (segmentBytes < SEGMENT_BYTES_MIN || segmentBytes > SEGMENT_BYTES_LIMIT) {
            throw new IllegalArgumentException("segmentBytes must be in [" + SEGMENT_BYTES_MIN + ", "
                    + SEGMENT_BYTES_LIMIT + "], was " + segmentBytes);
        }
        if (queueBatchesMax < 1) {
            throw new IllegalArgumentException("queueBatchesMax must be positive, was " + queueBatchesMax);
        }
        if (queueBytesMax < 1) {
            throw new IllegalArgumentException("queueBytesMax must be positive, was " + queueBytesMax);
        }
        if (groupBytesMax < 4096 || groupBytesMax > (256 << 20)) {
            throw new IllegalArgumentException("groupBytesMax must be in [4096, 256 MiB], was " + groupBytesMax);
        }
    }

    /** 64 MiB preallocated segments, a queue of up to 65,536 batches or 256 MiB, 4 MiB groups. */
    public static WalConfig defaults(String clusterId, int serverId) {
        return new WalConfig(new SegmentIdentity(clusterId, serverId), SEGMENT_BYTES_DEFAULT, true,
                QUEUE_BATCHES_MAX_DEFAULT, QUEUE_BYTES_MAX_DEFAULT, GROUP_BYTES_MAX_DEFAULT);
    }

    public WalConfig withSegmentBytes(long bytes, boolean preallocateSegments) {
        return new WalConfig(identity, bytes, preallocateSegments, queueBatchesMax, queueBytesMax, groupBytesMax);
    }

    public WalConfig withQueueLimits(int batchesMax, long bytesMax) {
        return new WalConfig(identity, segmentBytes, preallocate, batchesMax, bytesMax, groupBytesMax);
    }

    public WalConfig withGroupBytesMax(int bytesMax) {
        return new WalConfig(identity, segmentBytes, preallocate, queueBatchesMax, queueBytesMax, bytesMax);
    }
}
