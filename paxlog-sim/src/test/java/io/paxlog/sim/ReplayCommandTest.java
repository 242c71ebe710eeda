package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replay command a failure prints names the cluster size; naming it must not change the run. */
class ReplayCommandTest {

    @Test
    void runningASeedWithTheSizeItChoseReplaysTheSameTrace() {
        SimOptions options = SimOptions.defaults().withSafetyMs(5_000);
        for (long seed = 1; seed <= 4; seed++) {
            SeedResult chosen = Simulation.run(seed, options);
            SeedResult named = Simulation.run(seed, options.withServers(chosen.servers()));
            assertThat(named.traceHash()).as("seed %d with --servers %d", seed, chosen.servers())
                    .isEqualTo(chosen.traceHash());
            assertThat(named.faults()).isEqualTo(chosen.faults());
        }
    }
}
