package io.paxlog.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs a range of seeds on two threads and keeps each seed's result with its workload's figures. */
final class WorkloadSeeds {

    record Run(SeedResult result, String stats) {}

    private WorkloadSeeds() {}

    static List<Run> run(long firstSeed, int count, SimOptions options) {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (long seed = firstSeed; seed < firstSeed + count; seed++) {
                long s = seed;
                futures.add(pool.submit(() -> {
                    Simulation simulation = new Simulation(s, options);
                    SeedResult result = simulation.run();
                    return new Run(result, simulation.workloadStats());
                }));
            }
            List<Run> runs = new ArrayList<>();
            for (Future<Run> future : futures) {
                runs.add(future.get());
            }
            return runs;
        } catch (Exception e) {
            throw new IllegalStateException("a seed crashed the simulator", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The sum of one {@code name=N} figure over the runs. */
    static long sum(List<Run> runs, String name) {
        long total = 0;
        for (Run run : runs) {
            for (String part : run.stats().split(" ")) {
                if (part.startsWith(name + "=")) {
                    total += Long.parseLong(part.substring(name.length() + 1));
                }
            }
        }
        return total;
    }

    static List<String> violations(List<Run> runs) {
        List<String> found = new ArrayList<>();
        for (Run run : runs) {
            if (!run.result().passed()) {
                found.add(run.result().report());
            }
        }
        return found;
    }
}
