package io.paxlog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The closed loop against a fake system that answers after a fixed delay, on a timer thread. */
class ClosedLoopTest {

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Answers every call after {@code delayMs}; counts calls and the most seen in flight at once. */
    private final class FakeTarget implements Target {
        final long delayMs;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger gets = new AtomicInteger();
        final Set<String> keys = ConcurrentHashMap.newKeySet();
        volatile boolean fail;

        FakeTarget(long delayMs) {
            this.delayMs = delayMs;
        }

        private CompletableFuture<Boolean> answer() {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Boolean> future = new CompletableFuture<>();
            timer.schedule(() -> {
                inFlight.decrementAndGet();
                if (fail) {
                    future.completeExceptionally(new IllegalStateException("down"));
                } else {
                    future.complete(true);
                }
            }, delayMs, TimeUnit.MILLISECONDS);
            return future;
        }

        @Override
        public CompletableFuture<Boolean> put(byte[] key, byte[] value) {
            puts.incrementAndGet();
            keys.add(new String(key, StandardCharsets.UTF_8));
            return answer();
        }

        @Override
        public CompletableFuture<Boolean> get(byte[] key) {
            gets.incrementAndGet();
            return answer();
        }

        @Override
        public Failure classify(Throwable failure) {
            return Failure.NOT_APPLIED;
        }

        @Override
        public void close() {}
    }

    private static final ClosedLoop.Boundaries NONE = new ClosedLoop.Boundaries() {
        @Override
        public void start() {}

        @Override
        public void end() {}
    };

    @Test
    void keepsExactlyTheInFlightCountAndMeasuresOnlyTheMeasuredPeriod() throws Exception {
        FakeTarget target = new FakeTarget(10);
        ClosedLoop loop = new ClosedLoop(target, Workload.WRITE, 8, 100, 1_000_000, 1);
        ClosedLoop.Measurement m = loop.run(Duration.ofMillis(300), Duration.ofMillis(1000), NONE);
        assertThat(target.maxInFlight.get()).isEqualTo(8);
        assertThat(target.inFlight.get()).as("drained").isZero();
        // 8 in flight at ~10 ms each: ~800/s, far fewer if the warm-up were counted in, or more than 8 in flight.
        assertThat(m.opsPerSecond()).isBetween(300.0, 850.0);
        assertThat(m.counts().ok()).isLessThan(target.puts.get()).as("the warm-up's operations are not counted");
        assertThat(m.latencyNanos().getValueAtPercentile(50)).isBetween(9_000_000L, 60_000_000L);
        assertThat(m.latencyNanos().getTotalCount()).isEqualTo(m.counts().ok());
        assertThat(target.keys).as("unique keys").hasSize(target.puts.get());
        assertThat(target.gets.get()).isZero();
    }

    @Test
    void theMixDrawsReadsAndWrites() throws Exception {
        FakeTarget target = new FakeTarget(1);
        ClosedLoop loop = new ClosedLoop(target, Workload.MIX, 4, 10, 1000, 2);
        loop.preload();
        int preloaded = target.puts.get();
        assertThat(preloaded).isEqualTo(ClosedLoop.READ_KEYS);
        loop.run(Duration.ZERO, Duration.ofMillis(300), NONE);
        int puts = target.puts.get() - preloaded;
        assertThat(target.gets.get()).isPositive();
        assertThat(puts).isPositive();
        assertThat((double) target.gets.get() / (target.gets.get() + puts)).isBetween(0.35, 0.65);
    }

    @Test
    void failuresAreCountedByWhatTheyMeanAndNotMeasuredAsLatencies() throws Exception {
        FakeTarget target = new FakeTarget(1);
        target.fail = true;
        ClosedLoop loop = new ClosedLoop(target, Workload.WRITE, 2, 10, 1000, 3);
        ClosedLoop.Measurement m = loop.run(Duration.ZERO, Duration.ofMillis(200), NONE);
        assertThat(m.counts().ok()).isZero();
        assertThat(m.counts().notApplied()).isPositive();
        assertThat(m.counts().unknown()).isZero();
        assertThat(m.latencyNanos().getTotalCount()).isZero();
    }

    @Test
    void writesCycleWithinTheKeySpace() throws Exception {
        FakeTarget target = new FakeTarget(1);
        new ClosedLoop(target, Workload.WRITE, 4, 10, 5, 4).run(Duration.ZERO, Duration.ofMillis(200), NONE);
        assertThat(target.puts.get()).isGreaterThan(5);
        assertThat(target.keys).hasSize(5);
    }

    @Test
    void aPreloadThatFailsIsAnError() {
        FakeTarget target = new FakeTarget(1);
        target.fail = true;
        ClosedLoop loop = new ClosedLoop(target, Workload.READ, 4, 10, 1000, 5);
        assertThatThrownBy(loop::preload).isInstanceOf(IllegalStateException.class).hasMessageContaining("not written");
    }
}
