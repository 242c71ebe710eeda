package io.paxlog.chaos.check;

import java.time.Duration;

/**
 * How long the search of one key may run: at most {@code steps} steps and {@code time}. Running out is
 * reported as {@link CheckResult.Inconclusive}, which fails the check.
 */
public record Budget(long steps, Duration time) {

    public Budget {
        if (steps < 1 || time.isNegative() || time.isZero()) {
            throw new IllegalArgumentException("a budget must allow some steps and some time: " + steps + ", " + time);
        }
    }

    public static Budget of(long steps, Duration time) {
        return new Budget(steps, time);
    }
}
