package io.paxlog.sim;

import io.paxlog.api.StateMachine;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.client.core.Outcome;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * How to run one seed.
 *
 * @param servers      3 or 5; 0 lets the seed choose
 * @param safetyMs     simulated time with faults on and clients working
 * @param factory      builds each server's core; tests pass one with a deliberately broken rule
 * @param traceLines   how many of the last events a failure report shows
 * @param disk         what each server's disk runs: the real write-ahead log (the default) or a model
 * @param workload     what the clients do, and so which state machine the servers replicate
 * @param machines     null for the workload's own state machine; tests pass one with a deliberate bug,
 *                     which the workload's checks must catch (the reference model stays the real one)
 * @param relabel      what each client is told, from what its client core reported: identity but in
 *                     tests that make clients lie, which the outcome-label check must catch
 * @param reconfigure  whether seeds may change the membership during faults (two in three do, drawn
 *                     by the seed; never the minority-only ones); on by default
 */
public record SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines, DiskModel disk,
        Workload workload, Supplier<StateMachine> machines, UnaryOperator<Outcome> relabel, boolean reconfigure) {

    /** What the simulated clients do; each workload has its own checks besides the protocol's. */
    public enum Workload {
        /** Appends to and reads of a few integer lists ({@link AppendMachine}), Jepsen's list-append. */
        APPEND,
        /** The key-value store of paxlog-kv ({@link KvWorkload}). */
        KV,
        /** The lock service of paxlog-lock, with the leader's expiry and fenced writes ({@link LockWorkload}). */
        LOCK
    }

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

    /** What clients are told when no test makes them lie: what their core reported. */
    public static final UnaryOperator<Outcome> TRUTH = UnaryOperator.identity();

    public static SimOptions defaults() {
        return new SimOptions(0, 60_000, ReplicaFactory.DEFAULT, 60, DiskModel.WAL);
    }

    /** Without a disk choice: the real write-ahead log. */
    public SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines) {
        this(servers, safetyMs, factory, traceLines, DiskModel.WAL);
    }

    /** The append workload with its own state machine. */
    public SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines, DiskModel disk) {
        this(servers, safetyMs, factory, traceLines, disk, Workload.APPEND, null, TRUTH, true);
    }

    public SimOptions withServers(int servers) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    public SimOptions withSafetyMs(long safetyMs) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    public SimOptions withFactory(ReplicaFactory factory) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    /** Whether seeds may change the membership (see {@link #reconfigure}). */
    public SimOptions withReconfigure(boolean reconfigure) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
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
        if (workload != Workload.APPEND) {
            flags.append(" --workload ").append(workload.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (factory != ReplicaFactory.DEFAULT) {
            flags.append("   (with a test's own core: replay it from that test)");
        }
        if (machines != null) {
            flags.append("   (with a test's own state machine: replay it from that test)");
        }
        if (!reconfigure) {
            flags.append(" --no-reconfigure");
        }
        if (relabel != TRUTH) {
            flags.append("   (with a test's own client labels: replay it from that test)");
        }
        return flags.toString();
    }

    /** How many of the last events a failure report shows. */
    public SimOptions withTraceLines(int traceLines) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    public SimOptions withDisk(DiskModel disk) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    public SimOptions withWorkload(Workload workload) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    /** Clients are told {@code relabel} of what their core reported: for tests of the label check only. */
    public SimOptions withRelabel(UnaryOperator<Outcome> relabel) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
    }

    /** Servers run {@code machines}' state machines instead of the workload's own: for tests only. */
    public SimOptions withMachines(Supplier<StateMachine> machines) {
        return new SimOptions(servers, safetyMs, factory, traceLines, disk, workload, machines, relabel, reconfigure);
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
        if (workload == null) {
            throw new IllegalArgumentException("workload must be APPEND, KV or LOCK");
        }
    }
}
