package io.paxlog.bench;

import java.util.List;
import java.util.Map;

/** A running cluster of one system: its server processes, and clients of it. Closing it kills them. */
public interface BenchCluster extends AutoCloseable {

    /** The server processes, whose CPU time is the server CPU per command. */
    List<ProcessHandle> servers();

    /**
     * A client for {@code workload} with room for {@code inFlight} operations at once. Closed by the
     * caller.
     */
    Target connect(Workload workload, int inFlight) throws Exception;

    /**
     * The servers' own counters, by name, read now (the harness subtracts two readings): for paxlog what
     * its {@code /metrics} offers; empty for a system that exposes none to the harness.
     */
    Map<String, Double> counters();

    /** Figures derived from two {@link #counters} readings around the measured period and its ops. */
    default Map<String, Double> figures(Map<String, Double> before, Map<String, Double> after, long ops) {
        return Map.of();
    }

    @Override
    void close();
}
