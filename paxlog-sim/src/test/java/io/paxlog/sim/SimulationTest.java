package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimulationTest {

    private static final SimOptions SHORT = SimOptions.defaults().withSafetyMs(10_000);

    @Test
    void sameSeedReplaysTheSameTrace() {
        for (long seed : new long[] {1, 42, 977}) {
            SeedResult first = Simulation.run(seed, SHORT);
            SeedResult again = Simulation.run(seed, SHORT);
            assertThat(again.traceHash()).as("trace hash of seed %d", seed).isEqualTo(first.traceHash());
            assertThat(again.events()).isEqualTo(first.events());
            assertThat(again.lastEvents()).isEqualTo(first.lastEvents());
            assertThat(again.commandsCompleted()).isEqualTo(first.commandsCompleted());
        }
    }

    @Test
    void differentSeedsExploreDifferentRuns() {
        SeedResult a = Simulation.run(5, SHORT);
        SeedResult b = Simulation.run(6, SHORT);
        assertThat(a.traceHash()).isNotEqualTo(b.traceHash());
    }

    @Test
    void aSeedDoesRealWorkUnderFaults() {
        SeedResult result = Simulation.run(3, SimOptions.defaults().withSafetyMs(20_000).withServers(5));
        assertThat(result.violation()).isNull();
        assertThat(result.servers()).isEqualTo(5);
        assertThat(result.commandsCompleted()).as("commands completed").isGreaterThan(100);
        assertThat(result.leaderElections()).as("leader elections").isGreaterThanOrEqualTo(1);
        assertThat(result.simulatedMs()).isGreaterThanOrEqualTo(20_000);
    }

    @Test
    void failureReportNamesTheSeedAndTheReplayCommand() {
        SeedResult failed = new SeedResult(77, 3, "loss=0.1", 1234, 10, 99, 5, 1, 0, "agreement: slot 4",
                java.util.List.of("      1000 ms  s1  deliver    2->1 store(...)"), " --seconds 10");
        assertThat(failed.report())
                .contains("seed=77")
                .contains("./paxlog sim --seed 77 --servers 3 --seconds 10")
                .contains("agreement: slot 4")
                .contains("deliver    2->1");
    }

    @Test
    void theReplayCommandCarriesTheOptionsTheRunUsed() {
        SeedResult result = Simulation.run(2, SHORT.withDisk(SimOptions.DiskModel.MODEL));
        assertThat(result.replayCommand())
                .isEqualTo("./paxlog sim --seed 2 --servers " + result.servers() + " --seconds 10 --disk model");
        assertThat(SimOptions.defaults().asFlags()).as("defaults need no flags").isEmpty();
    }

    @Test
    void summaryLineHasTheAgreedShape() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SimRunner.Summary summary = SimRunner.run(10, 4, 2, SHORT, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(summary.line()).matches("seeds=4 simulated_s=\\d+ violations=0");
        assertThat(summary.simulatedMs()).isGreaterThanOrEqualTo(4 * 10_000);
    }
}
