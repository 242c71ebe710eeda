package io.paxlog.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run: a fresh cluster of the setting's system, a client, a closed loop through warm-up and the
 * measured period, and the figures; the cluster is killed at the end whatever happened.
 */
public final class Run {

    /** The store the writes may fill (every system keeps it in memory): keys cycle within it. */
    static final long STORE_BUDGET_BYTES = 96L << 20;

    private Run() {}

    public static Figures measure(Setting setting, Path dir, List<String> serverJvmOptions, long seed) throws Exception {
        BenchSystem system = BenchSystem.named(setting.system());
        if (!system.supports(setting.workload())) {
            throw new IllegalArgumentException(setting.system() + " has no " + setting.workload() + " workload");
        }
        try (BenchCluster cluster = system.start(dir, setting.servers(), serverJvmOptions);
                Target target = cluster.connect(setting.workload(), setting.inFlight())) {
            ClosedLoop loop = new ClosedLoop(target, setting.workload(), setting.inFlight(), setting.payloadBytes(),
                    keySpace(setting.payloadBytes()), seed);
            if (setting.workload().reads()) {
                loop.preload();
            }
            List<ProcessHandle> servers = cluster.servers();
            long[] cpu = new long[4];
            @SuppressWarnings("unchecked")
            Map<String, Double>[] counters = new Map[2];
            ClosedLoop.Measurement measured = loop.run(setting.warmup(), setting.measure(), new ClosedLoop.Boundaries() {
                @Override
                public void start() throws Exception {
                    cpu[0] = ProcStat.cpuNanos(servers);
                    cpu[1] = ProcStat.cpuNanos(ProcessHandle.current().pid());
                    counters[0] = cluster.counters();
                }

                @Override
                public void end() throws Exception {
                    cpu[2] = ProcStat.cpuNanos(servers);
                    cpu[3] = ProcStat.cpuNanos(ProcessHandle.current().pid());
                    counters[1] = cluster.counters();
                }
            });
            long ops = Math.max(1, measured.counts().ok());
            return new Figures(measured.opsPerSecond(), LatencySummary.of(measured.latencyNanos()), measured.counts(),
                    (cpu[2] - cpu[0]) / 1e6 / ops, (cpu[3] - cpu[1]) / 1e6 / ops,
                    cluster.figures(counters[0], counters[1], measured.counts().ok()));
        }
    }

    /** Unique keys while they fit the budget (entry overhead ~64 B), cycling over that many beyond it. */
    static long keySpace(int payloadBytes) {
        return Math.max(1000, STORE_BUDGET_BYTES / (payloadBytes + 64));
    }
}
