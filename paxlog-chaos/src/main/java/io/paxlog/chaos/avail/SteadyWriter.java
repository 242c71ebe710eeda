package io.paxlog.chaos.avail;

import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.run.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer at a steady rate through one entrance (a server's HTTP port, or the Java client): every
 * {@code interval} it starts a write of a fresh value, whatever happened to the earlier ones, so a write
 * that hangs does not hold back the next (an open loop, as many independent users would be). At most
 * {@code maxInFlight} writes are under way; a tick that finds no room is skipped and counted, never
 * queued. Each write is recorded in the history once, from its first attempt to its last answer, with the
 * outcome its client can tell; keys are the writer's own ({@code w<client>-<n>}), so the register check
 * of each key stays small.
 *
 * <p>Threads: a ticker thread starts writes; each runs on a pool thread of its own ({@code maxInFlight}
 * of them) and records itself; {@link #stop} (the run's thread) ends the ticker, gives the writes under
 * way {@code grace} to finish, then interrupts what is left, which records itself as unknown.
 */
abstract class SteadyWriter {

    private static final int KEYS = 4;

    final int client;
    final String label;
    private final Recorder<RegisterModel.Input, RegisterModel.Output> recorder;
    private final Duration interval;
    private final Semaphore room;
    private final ExecutorService pool;
    private final Thread ticker;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicInteger started = new AtomicInteger();
    /** Why writes were not applied or stayed unknown, by the last attempt's answer: what to read first. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> endings =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** After this (recorder time), a write that still has no definite answer gives up as unknown. */
    private volatile long giveUpAt = Long.MAX_VALUE;

    SteadyWriter(int client, String label, Recorder<RegisterModel.Input, RegisterModel.Output> recorder,
            Duration interval, int maxInFlight) {
        this.client = client;
        this.label = label;
        this.recorder = recorder;
        this.interval = interval;
        this.room = new Semaphore(maxInFlight);
        this.pool = Executors.newFixedThreadPool(maxInFlight, task -> {
            Thread thread = new Thread(task, "pxc-writer-" + label);
            thread.setDaemon(true);
            return thread;
        });
        this.ticker = new Thread(this::tick, "pxc-ticker-" + label);
        this.ticker.setDaemon(true);
    }

    /** What one attempt of a write was told. */
    sealed interface Attempt {
        /** Applied, at {@code version}. */
        record Applied(long version) implements Attempt {}

        /** Definitely not applied (nothing was sent, or the server said so). */
        record NotApplied(String why) implements Attempt {}

        /** May have been applied. */
        record Unknown(String why) implements Attempt {}
    }

    /**
     * One attempt to write {@code value} to {@code key} ({@code attemptNumber} from 1). A write is
     * attempted again after an unknown answer only when {@link #retriesUnknown}: the transport can send
     * it again under the same identity, applied at most once (HTTP with an Idempotency-Key).
     */
    abstract Attempt attempt(String key, String value, int attemptNumber) throws InterruptedException;

    /** Whether an unknown attempt may be sent again with the same identity (applied at most once). */
    abstract boolean retriesUnknown();

    /** Releases the transport; after {@link #stop}. */
    abstract void closeTransport();

    private void count(String why) {
        endings.computeIfAbsent(why, k -> new AtomicLong()).incrementAndGet();
    }

    /** How many writes ended not applied or unknown, by the reason their last attempt gave. */
    java.util.Map<String, Long> endings() {
        java.util.Map<String, Long> copy = new java.util.TreeMap<>();
        endings.forEach((why, n) -> copy.put(why, n.get()));
        return copy;
    }

    /** Writes counted as not started because {@code maxInFlight} were under way. */
    long skippedTicks() {
        return skipped.get();
    }

    int startedWrites() {
        return started.get();
    }

    void start() {
        ticker.start();
    }

    private void tick() {
        long next = System.nanoTime();
        try {
            while (!stopping) {
                if (room.tryAcquire()) {
                    int n = started.getAndIncrement();
                    pool.execute(() -> {
                        try {
                            write(n);
                        } finally {
                            room.release();
                        }
                    });
                } else {
                    skipped.incrementAndGet();
                }
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    // The rate itself: the ticker's schedule, not a wait for some condition.
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    next = System.nanoTime(); // fell behind (a loaded machine): no burst to catch up
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(int n) {
        String key = "w" + client + "-" + (n % KEYS);
        String value = "c" + client + "-" + n;
        RegisterModel.Input input = new RegisterModel.Write(value);
        long invoke = recorder.now();
        boolean maybeApplied = false;
        for (int attemptNumber = 1; ; attemptNumber++) {
            Attempt answer;
            try {
                answer = attempt(key, value, attemptNumber);
            } catch (InterruptedException e) {
                // Stopped with this write under way: whatever was sent may have been applied.
                recorder.add(client, key, input, null, Outcome.UNKNOWN, invoke, recorder.now());
                return;
            }
            if (answer instanceof Attempt.Applied applied) {
                recorder.add(client, key, input, new RegisterModel.Written(), Outcome.OK, invoke, recorder.now());
                recorder.version(key, value, applied.version());
                return;
            }
            maybeApplied |= answer instanceof Attempt.Unknown;
            if (!maybeApplied) {
                recorder.add(client, key, input, null, Outcome.FAILED, invoke, recorder.now());
                count("not applied: " + ((Attempt.NotApplied) answer).why());
                return;
            }
            if (!retriesUnknown() || recorder.now() > giveUpAt) {
                recorder.add(client, key, input, null, Outcome.UNKNOWN, invoke, recorder.now());
                count("unknown: " + (answer instanceof Attempt.Unknown u ? u.why() : ((Attempt.NotApplied) answer).why()));
                return;
            }
            try {
                Thread.sleep(100); // between retries of one write: a client's pause, not a condition
            } catch (InterruptedException e) {
                recorder.add(client, key, input, null, Outcome.UNKNOWN, invoke, recorder.now());
                return;
            }
        }
    }

    /** Stops starting writes; those under way get {@code grace} to end, then are interrupted (unknown). */
    void stop(Duration grace) throws InterruptedException {
        stopping = true;
        giveUpAt = recorder.now() + grace.toNanos();
        ticker.interrupt();
        ticker.join();
        pool.shutdown();
        if (!pool.awaitTermination(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("writes through " + label + " did not end when interrupted");
            }
        }
        closeTransport();
    }

    /** The keys this writer may have written. */
    List<String> keys() {
        return java.util.stream.IntStream.range(0, KEYS).mapToObj(i -> "w" + client + "-" + i).toList();
    }
}
