package io.paxlog.bench;

import java.util.Map;

/**
 * What one run measured over its measured period.
 *
 * @param opsPerSecond     operations answered as asked, per second
 * @param latency          issue-to-answer latencies of the answered operations
 * @param counts           how every operation of the period ended
 * @param serverCpuMsPerOp user+system CPU of all server processes over the period, per answered operation
 * @param clientCpuMsPerOp the same for the benchmark's own (client) process
 * @param server           the servers' own figures (paxlog: from /metrics, e.g. entries per fsync)
 */
public record Figures(double opsPerSecond, LatencySummary latency, ClosedLoop.Counts counts, double serverCpuMsPerOp,
        double clientCpuMsPerOp, Map<String, Double> server) {

    /** Whether every operation of the period was answered as asked: a run with failures is marked so. */
    public boolean clean() {
        return counts.refused() == 0 && counts.notApplied() == 0 && counts.unknown() == 0;
    }
}
