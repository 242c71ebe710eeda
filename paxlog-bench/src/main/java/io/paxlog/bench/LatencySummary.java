package io.paxlog.bench;

import org.HdrHistogram.Histogram;

/** Latency percentiles of the measured operations, in milliseconds. */
public record LatencySummary(long count, double meanMs, double p50Ms, double p99Ms, double p999Ms, double maxMs) {

    /** From a histogram of nanoseconds. */
    public static LatencySummary of(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(nanos.getTotalCount(), nanos.getMean() / 1e6,
                nanos.getValueAtPercentile(50) / 1e6, nanos.getValueAtPercentile(99) / 1e6,
                nanos.getValueAtPercentile(99.9) / 1e6, nanos.getMaxValue() / 1e6);
    }
}
