package io.paxlog.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop client: exactly {@code inFlight} operations outstanding, each one's completion issuing
 * the next. A warm-up period is run and thrown away, then the measured period is recorded: the
 * latencies (issue to answer, HdrHistogram) of the operations answered within it and the counts of how
 * each ended. Operations that got no answer are counted by what they may have done (see
 * {@link Target.Failure}) and their next one is issued after a millisecond, so a cluster that fails
 * every call is not spun on.
 *
 * <p>Threads: {@link #run} blocks the caller (sleeping through the periods); completions run on the
 * target's callback threads, which issue the next operation; the counters and the {@link Recorder} are
 * safe for concurrent writers, and the caller reads them only between periods.
 */
public final class ClosedLoop {

    /** How the measured operations ended. {@code ok} is what throughput counts. */
    public record Counts(long ok, long refused, long notApplied, long unknown) {
        Counts minus(Counts earlier) {
            return new Counts(ok - earlier.ok, refused - earlier.refused, notApplied - earlier.notApplied,
                    unknown - earlier.unknown);
        }
    }

    /** The measured period. */
    public record Measurement(Histogram latencyNanos, Counts counts, long nanos) {
        public double opsPerSecond() {
            return counts.ok() / (nanos / 1e9);
        }
    }

    /** Called at the measured period's two ends, e.g. to read the servers' CPU time and counters. */
    public interface Boundaries {
        void start() throws Exception;

        void end() throws Exception;
    }

    /** Keys the read workloads draw from, put before the warm-up. */
    public static final int READ_KEYS = 1000;
    private static final long DRAIN_MS = 15_000;

    private final Target target;
    private final Workload workload;
    private final int inFlight;
    private final byte[] value;
    private final long keySpace;
    private final AtomicLong nextKey = new AtomicLong();
    private final Recorder recorder = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder notApplied = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder outstanding = new LongAdder();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-retry");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    /**
     * @param keySpace how many distinct keys the writes cycle through: unique keys, unless the store would
     *                 outgrow its memory (large payloads), when later writes overwrite the earliest keys
     */
    public ClosedLoop(Target target, Workload workload, int inFlight, int payloadBytes, long keySpace, long seed) {
        if (inFlight < 1 || payloadBytes < 1 || keySpace < 1) {
            throw new IllegalArgumentException("in flight, payload and key space must be positive");
        }
        this.target = target;
        this.workload = workload;
        this.inFlight = inFlight;
        this.value = new byte[payloadBytes];
        new Random(seed).nextBytes(value); // incompressible, the same array for every put (never changed)
        this.keySpace = keySpace;
    }

    /** Puts the keys the reads ask for, {@code inFlight} at a time; fails unless every one is written. */
    public void preload() throws InterruptedException {
        Semaphore room = new Semaphore(inFlight);
        LongAdder failed = new LongAdder();
        for (int i = 0; i < READ_KEYS; i++) {
            room.acquire();
            CompletableFuture<Boolean> put;
            try {
                put = target.put(readKey(i), value);
            } catch (RuntimeException e) {
                put = CompletableFuture.failedFuture(e);
            }
            put.whenComplete((written, e) -> {
                if (e != null || !written) {
                    failed.increment();
                }
                room.release();
            });
        }
        room.acquire(inFlight);
        if (failed.sum() > 0) {
            throw new IllegalStateException(failed.sum() + " of the " + READ_KEYS + " preloaded keys were not written");
        }
    }

    /** Warms up, measures, then stops and waits for the operations still outstanding. */
    public Measurement run(Duration warmup, Duration measure, Boundaries boundaries) throws Exception {
        for (int i = 0; i < inFlight; i++) {
            outstanding.increment();
            issue();
        }
        try {
            Thread.sleep(warmup.toMillis());
            recorder.getIntervalHistogram(); // the warm-up's latencies, thrown away
            Counts before = counts();
            boundaries.start();
            long start = System.nanoTime();
            Thread.sleep(measure.toMillis());
            long nanos = System.nanoTime() - start;
            Histogram latencies = recorder.getIntervalHistogram();
            Counts during = counts().minus(before);
            boundaries.end();
            return new Measurement(latencies, during, nanos);
        } finally {
            stop();
        }
    }

    private void stop() throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
        while (outstanding.sum() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling the drain: a handful of rounds at the very end of a run
        }
        retries.shutdownNow();
    }

    private Counts counts() {
        return new Counts(ok.sum(), refused.sum(), notApplied.sum(), unknown.sum());
    }

    private void issue() {
        boolean read = switch (workload) {
            case READ -> true;
            case MIX -> ThreadLocalRandom.current().nextBoolean();
            case WRITE, HTTP_WRITE -> false;
        };
        long start = System.nanoTime();
        CompletableFuture<Boolean> op;
        try {
            op = read ? target.get(readKey(ThreadLocalRandom.current().nextInt(READ_KEYS)))
                    : target.put(writeKey(), value);
        } catch (RuntimeException e) {
            op = CompletableFuture.failedFuture(e);
        }
        op.whenComplete((done, failure) -> completed(start, done, failure));
    }

    private void completed(long start, Boolean done, Throwable failure) {
        long nanos = System.nanoTime() - start;
        if (failure == null) {
            recorder.recordValue(nanos);
            (done ? ok : refused).increment();
        } else {
            (target.classify(failure) == Target.Failure.NOT_APPLIED ? notApplied : unknown).increment();
        }
        if (stopping) {
            outstanding.decrement();
        } else if (failure == null) {
            issue();
        } else {
            try {
                retries.schedule(this::issue, 1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                outstanding.decrement(); // stopping raced with this failure
            }
        }
    }

    private byte[] writeKey() {
        return ("w-" + (nextKey.getAndIncrement() % keySpace)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] readKey(int i) {
        return ("r-" + i).getBytes(StandardCharsets.UTF_8);
    }
}
