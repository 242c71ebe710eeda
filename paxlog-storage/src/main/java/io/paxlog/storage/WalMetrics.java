package io.paxlog.storage;

/**
 * Counters since the log was opened.
 *
 * @param groups          group commits done (each ends with one fsync of the active segment)
 * @param batches         batches reported durable
 * @param records         records written (segments' opening promise records included)
 * @param bytes           record bytes written (headers and preallocation zeros excluded)
 * @param forces          fsyncs of any kind: group commits, segment roll-overs and creations, directory
 * @param segmentsCreated segments created
 */
public record WalMetrics(long groups, long batches, long records, long bytes, long forces, long segmentsCreated) {}
