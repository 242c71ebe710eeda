package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The CI hunt: at least 1,000 seeds of at least 60 simulated seconds, 3- and 5-server clusters,
 * every invariant after every event, then liveness and linearizability. Set
 * {@code -Dpaxlog.sim.seeds=N} and {@code -Dpaxlog.sim.firstSeed=S} to hunt longer or elsewhere;
 * {@code ./paxlog sim --seeds N --parallel K} does the same from the command line.
 */
class SimulationSeedsTest {

    @Test
    void thousandSeedsOfSixtySecondsFindNoViolation() {
        long seeds = Long.getLong("paxlog.sim.seeds", 1000);
        long first = Long.getLong("paxlog.sim.firstSeed", 1);
        int parallel = Runtime.getRuntime().availableProcessors();
        SimRunner.Summary summary = SimRunner.run(first, seeds, parallel, SimOptions.defaults(), System.out);
        System.out.printf("%s events=%d commands=%d elections=%d wall_s=%.1f%n", summary.line(), summary.events(),
                summary.commands(), summary.elections(), summary.wallMs() / 1000.0);
        assertThat(summary.failures()).as("seeds with a violation (reports above)").isEmpty();
        assertThat(summary.simulatedMs()).isGreaterThanOrEqualTo(seeds * 60_000);
    }
}
