package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/**
 * A short simulator run sized for mutation testing, where it runs once per mutant: 40 seeds of 10
 * simulated seconds. The full hunt is {@link SimulationSeedsTest}.
 */
class MutationSimulationTest {

    @Test
    void fortyShortSeedsFindNoViolation() {
        SimRunner.Summary summary = SimRunner.run(1, 40, 1, SimOptions.defaults().withSafetyMs(10_000),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(summary.failures()).extracting(SeedResult::violation).isEmpty();
    }
}
