package io.paxlog.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for observable state, with a bound; fails with what was awaited and the last state seen. */
final class Await {

    private Await() {}

    static void until(Duration bound, String what, BooleanSupplier condition) {
        until(bound, what, condition, () -> "");
    }

    static void until(Duration bound, String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound.toMillis() + " ms: " + what + "; " + state.get());
            }
            try {
                Thread.sleep(5); // a polling interval, not a stand-in for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what);
            }
        }
    }
}
