package io.paxlog.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs many seeds, in parallel, and sums them up in one line:
 * {@code seeds=N simulated_s=T violations=V}. Every failing seed is printed with its replay command
 * and the last events before the failure.
 */
public final class SimRunner {

    /** What a batch of seeds came to. */
    public record Summary(long seeds, long simulatedMs, long events, long commands, long elections,
            long snapshotInstalls, List<SeedResult> failures, long wallMs) {

        public String line() {
            return String.format("seeds=%d simulated_s=%d violations=%d", seeds, simulatedMs / 1000, failures.size());
        }
    }

    private SimRunner() {}

    /**
     * Runs seeds {@code firstSeed .. firstSeed + count - 1} on {@code parallel} threads. Failures are
     * printed to {@code out} as they happen.
     */
    public static Summary run(long firstSeed, long count, int parallel, SimOptions options, PrintStream out) {
        return run(firstSeed, count, parallel, options, out, null);
    }

    /**
     * As above; when {@code progress} is not null, a line goes there each time another twentieth of
     * the seeds is done, so a long hunt shows it is alive.
     */
    public static Summary run(long firstSeed, long count, int parallel, SimOptions options, PrintStream out,
            PrintStream progress) {
        long started = System.nanoTime();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long step = Math.max(1, count / 20);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, parallel), runnable -> {
            Thread thread = new Thread(runnable, "sim");
            thread.setDaemon(true);
            return thread;
        });
        AtomicLong next = new AtomicLong(firstSeed);
        long end = firstSeed + count;
        List<Future<List<SeedResult>>> workers = new ArrayList<>();
        for (int i = 0; i < Math.max(1, parallel); i++) {
            workers.add(pool.submit(() -> {
                List<SeedResult> results = new ArrayList<>();
                long seed;
                while ((seed = next.getAndIncrement()) < end) {
                    SeedResult result = Simulation.run(seed, options);
                    if (!result.passed()) {
                        synchronized (out) {
                            out.print(result.report());
                            out.flush();
                        }
                    }
                    results.add(result);
                    if (!result.passed()) {
                        failed.incrementAndGet();
                    }
                    long finished = done.incrementAndGet();
                    if (progress != null && finished % step == 0 && finished < count) {
                        synchronized (progress) {
                            progress.printf("progress: %d/%d seeds, %d violations, %.0f s%n", finished, count,
                                    failed.get(), (System.nanoTime() - started) / 1e9);
                        }
                    }
                }
                return results;
            }));
        }
        long simulated = 0;
        long events = 0;
        long commands = 0;
        long elections = 0;
        long installs = 0;
        List<SeedResult> failures = new ArrayList<>();
        try {
            for (Future<List<SeedResult>> worker : workers) {
                for (SeedResult result : worker.get()) {
                    simulated += result.simulatedMs();
                    events += result.events();
                    commands += result.commandsCompleted();
                    elections += result.leaderElections();
                    installs += result.snapshotInstalls();
                    if (!result.passed()) {
                        failures.add(result);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("simulation crashed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        failures.sort((a, b) -> Long.compare(a.seed(), b.seed()));
        return new Summary(count, simulated, events, commands, elections, installs, failures,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** For quick runs without the CLI: {@code SimRunner [seeds] [parallel] [firstSeed]}. */
    public static void main(String[] args) {
        long seeds = args.length > 0 ? Long.parseLong(args[0]) : 100;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        long first = args.length > 2 ? Long.parseLong(args[2]) : 1;
        Summary summary = run(first, seeds, parallel, SimOptions.defaults(), System.out);
        System.out.printf("events=%d commands=%d elections=%d wall_ms=%d%n", summary.events(), summary.commands(),
                summary.elections(), summary.wallMs());
        System.out.println(summary.line());
        System.exit(summary.failures().isEmpty() ? 0 : 1);
    }
}
