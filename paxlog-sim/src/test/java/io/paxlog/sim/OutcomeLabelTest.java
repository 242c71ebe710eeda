package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.core.Outcome;
import org.junit.jupiter.api.Test;

/**
 * The simulated clients run the client library's own core, and what it tells them is checked against
 * the log: a client that calls "not applied" what may have been applied is caught, within 200 seeds.
 */
class OutcomeLabelTest {

    private static final SimOptions SHORT = SimOptions.defaults().withSafetyMs(10_000);

    @Test
    void aClientToldNotAppliedForAnOutcomeItDoesNotKnowIsCaught() {
        SimOptions lying = SHORT.withRelabel(outcome -> outcome instanceof Outcome.Unknown unknown
                ? new Outcome.NotApplied(Outcome.NotApplied.Reason.UNAVAILABLE, "(a lie) " + unknown.message())
                : outcome);
        String caught = null;
        for (long seed = 1; seed <= 200 && caught == null; seed++) {
            SeedResult result = Simulation.run(seed, lying);
            if (!result.passed()) {
                caught = result.violation();
            }
        }
        assertThat(caught).as("a lying label is caught within 200 seeds").isNotNull()
                .startsWith("outcome label: ").contains("was reported not applied, but slot");
    }

    /**
     * The broken client core of issue 11: it calls a retry answered SESSION_EXPIRED "not applied" even
     * though an earlier attempt may have been applied before the session expired.
     */
    @Test
    void aClientToldNotAppliedForARetryWhoseSessionExpiredIsCaught() {
        SimOptions lying = SimOptions.defaults().withSafetyMs(20_000).withRelabel(outcome ->
                outcome instanceof Outcome.Unknown unknown && unknown.reason() == Outcome.Unknown.Reason.SESSION_EXPIRED
                        ? new Outcome.NotApplied(Outcome.NotApplied.Reason.SESSION_EXPIRED, "(a lie) " + unknown.message())
                        : outcome);
        String caught = null;
        long seed = 1;
        for (; seed <= 200 && caught == null; seed++) {
            SeedResult result = Simulation.run(seed, lying);
            if (!result.passed()) {
                caught = result.violation();
            }
        }
        System.out.printf("a SESSION_EXPIRED lie caught at seed %d: %s%n", seed - 1, caught);
        assertThat(caught).as("a lying label is caught within 200 seeds").isNotNull()
                .startsWith("outcome label: ").contains("was reported not applied, but slot");
    }

    @Test
    void theTruthPassesTheSameSeeds() {
        for (long seed = 1; seed <= 20; seed++) {
            SeedResult result = Simulation.run(seed, SHORT);
            assertThat(result.passed()).as("seed %d: %s", seed, result.violation()).isTrue();
        }
    }
}
