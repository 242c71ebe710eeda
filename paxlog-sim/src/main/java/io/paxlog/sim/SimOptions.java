package io.paxlog.sim;

import io.paxlog.core.ReplicaFactory;

/**
 * How to run one seed.
 *
 * @param servers      3 or 5; 0 lets the seed choose
 * @param safetyMs     simulated time with faults on and clients working
 * @param factory      builds each server's core; tests pass one with a deliberately broken rule
 * @param traceLines   how many of the last events a failure report shows
 * @param disk         what each server's disk runs: the real write-ahead log (the default) or a model
 */
public record SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines, DiskModel disk) {

    /** What each simulated server's disk is. */
    public enum DiskModel {
        /**
         * The real write-ahead log over an in-memory file layer that crashes like a disk: crashes cut
         * commits short, tear writes and run the real recovery ({@link WalDisk}).
         */
        WAL,
        /** A model that keeps whole durable batches and drops the rest on a crash ({@link SimDisk}). */
        MODEL
    }

    public static SimOptions defaults() {
        return new SimOptions(0, 60_000, ReplicaFactory.DEFAULT, 60, DiskModel.WAL);
    }

    /** Without a disk choice: the real write-ahead log. */
    public SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines) {
        this(servers, safetyMs, factory, traceLines, DiskModel.WAL);
    }

    public SimOptions withServers(int servers) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk);
    }

    public SimOptions withSafetyMs(long safetyMs) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk);
    }

    public SimOptions withFactory(ReplicaFactory factory) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk);
    }

    /** These options as {@code paxlog sim} flags, beyond seed and size; empty for the defaults. */
    String asFlags() {
        StringBuilder flags = new StringBuilder();
        if (safetyMs != defaults().safetyMs()) {
            flags.append(" --seconds ").append(safetyMs / 1000);
        }
        if (disk != DiskModel.WAL) {
            flags.append(" --disk ").append(disk.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (factory != ReplicaFactory.DEFAULT) {
            flags.append("   (with a test's own core: replay it from that test)");
        }
        return flags.toString();
    }

    public SimOptions withDisk(DiskModel disk) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk);
    }

    public SimOptions {
        if (servers != 0 && servers != 3 && servers != 5) {
            throw new IllegalArgumentException("--servers must be 3 or 5, was " + servers);
        }
        if (safetyMs < 1_000) {
            throw new IllegalArgumentException("safety phase must last at least 1000 ms, was " + safetyMs);
        }
        if (disk == null) {
            throw new IllegalArgumentException("disk model must be WAL or MODEL");
        }
    }
}
