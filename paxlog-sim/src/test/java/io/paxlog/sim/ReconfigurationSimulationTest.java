package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.core.Membership;
import org.junit.jupiter.api.Test;

/**
 * Seeds that change the membership during faults (docs/membership.md) keep every check, and do change
 * it: learners added and promoted, voters removed, the quorums judged by the checker's own replay of
 * the chosen log.
 */
class ReconfigurationSimulationTest {

    @Test
    void reconfiguringSeedsChangeTheMembershipAndKeepEveryCheck() {
        SimOptions options = SimOptions.defaults().withSafetyMs(15_000);
        long changed = 0;
        long seeds = 0;
        StringBuilder report = new StringBuilder();
        for (long seed = 1; seed <= 12; seed++) {
            Simulation simulation = new Simulation(seed, options);
            SeedResult result = simulation.run();
            assertThat(result.violation()).as("seed %d", seed).isNull();
            Membership last = simulation.checker().memberships().latest();
            report.append("seed ").append(seed).append(": ").append(last).append('\n');
            if (last.version() > 1) {
                changed++;
            }
            seeds++;
        }
        System.out.print(report);
        assertThat(changed).as("seeds whose membership changed, of %d", seeds).isGreaterThanOrEqualTo(4);
    }
}
