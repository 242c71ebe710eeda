package io.paxlog.cli;

import io.paxlog.sim.SeedResult;
import io.paxlog.sim.SimOptions;
import io.paxlog.sim.SimRunner;
import io.paxlog.sim.Simulation;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code paxlog sim}: runs the deterministic simulator over many seeds, or replays one. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {
            "Runs simulated clusters under faults (loss, duplication, delay, partitions, crashes, pauses)",
            "and checks every safety invariant after every event, then liveness and linearizability.",
            "Ends with: seeds=N simulated_s=T violations=V. Exit status 1 when any seed failed."
        })
final class SimCommand implements Callable<Integer> {

    @Option(names = "--seeds", description = "How many seeds to run (default: ${DEFAULT-VALUE}).", defaultValue = "100")
    long seeds;

    @Option(names = "--first-seed", description = "First seed of the range (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long firstSeed;

    @Option(names = "--seed", description = "Replay exactly this seed and print its trace summary.")
    Long seed;

    @Option(names = "--servers", description = "Cluster size, 3 or 5 (default: each seed chooses).", defaultValue = "0")
    int servers;

    @Option(names = "--parallel", description = "Seeds run at once (default: number of cores).")
    Integer parallel;

    @Option(names = "--seconds", description = "Simulated seconds of the faulty (safety) phase per seed (default: ${DEFAULT-VALUE}).",
            defaultValue = "60")
    long seconds;

    @Option(names = "--disk", description = "What each server's disk runs: WAL (the real write-ahead log over a "
            + "crashing in-memory disk) or MODEL (a simpler model, faster). Default: ${DEFAULT-VALUE}.",
            defaultValue = "WAL")
    SimOptions.DiskModel disk;

    @Option(names = "--workload", description = "What the clients do: APPEND (list appends and reads, the default), "
            + "KV (the key-value store, with a linearizability check) or LOCK (the lock service with the leader's "
            + "expiries and fenced writes). Default: ${DEFAULT-VALUE}.", defaultValue = "APPEND")
    SimOptions.Workload workload;

    @Option(names = "--no-reconfigure", description = "Never change the membership (by default two seeds in three "
            + "add, promote and remove servers during faults; docs/membership.md).")
    boolean noReconfigure;

    @Option(names = "--trace", description = "With --seed: how many of the last events to print (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "60")
    int traceLines;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        SimOptions options;
        try {
            options = SimOptions.defaults().withServers(servers).withSafetyMs(seconds * 1000).withDisk(disk).withWorkload(workload)
                    .withReconfigure(!noReconfigure);
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog sim: " + e.getMessage());
            return 2;
        }
        if (seed != null) {
            SeedResult result = Simulation.run(seed, options.withTraceLines(traceLines));
            if (result.passed()) {
                out.printf("seed=%d servers=%d faults: %s%n", result.seed(), result.servers(), result.faults());
                out.printf("events=%d commands=%d elections=%d snapshot_installs=%d trace_hash=%016x%n", result.events(),
                        result.commandsCompleted(), result.leaderElections(), result.snapshotInstalls(), result.traceHash());
                out.println("last events:");
                result.lastEvents().forEach(line -> out.println("  " + line));
            } else {
                out.print(result.report());
            }
            out.printf("seeds=1 simulated_s=%d violations=%d%n", result.simulatedMs() / 1000, result.passed() ? 0 : 1);
            return result.passed() ? 0 : 1;
        }
        if (seeds < 1) {
            System.err.println("paxlog sim: --seeds must be at least 1");
            return 2;
        }
        int threads = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        if (threads < 1) {
            System.err.println("paxlog sim: --parallel must be at least 1");
            return 2;
        }
        SimRunner.Summary summary = SimRunner.run(firstSeed, seeds, threads, options, out,
                seeds >= 1000 ? System.err : null);
        out.printf("events=%d commands=%d elections=%d snapshot_installs=%d wall_s=%.1f%n", summary.events(),
                summary.commands(), summary.elections(), summary.snapshotInstalls(), summary.wallMs() / 1000.0);
        out.println(summary.line());
        return summary.failures().isEmpty() ? 0 : 1;
    }
}
