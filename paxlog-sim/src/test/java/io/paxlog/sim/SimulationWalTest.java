package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The simulator runs the real write-ahead log and its recovery under its crashes (issue 3), stays
 * deterministic with it, and keeps the simpler disk model as an option.
 */
class SimulationWalTest {

    private static final SimOptions SHORT = SimOptions.defaults().withSafetyMs(20_000);

    @Test
    void theDefaultDiskIsTheRealWriteAheadLog() {
        assertThat(SimOptions.defaults().disk()).isEqualTo(SimOptions.DiskModel.WAL);
        assertThat(new SimOptions(3, 10_000, io.paxlog.core.ReplicaFactory.DEFAULT, 10).disk())
                .isEqualTo(SimOptions.DiskModel.WAL);
    }

    @Test
    void simulatedCrashesCutCommitsShortAndRunTheRealRecovery() {
        WalDisk.Stats total = new WalDisk.Stats();
        for (long seed = 1; seed <= 12; seed++) {
            Simulation simulation = new Simulation(seed, SHORT);
            SeedResult result = simulation.run();
            assertThat(result.violation()).as("seed %d", seed).isNull();
            total.add(simulation.diskStats());
        }
        assertThat(total.commits).isGreaterThan(10_000);
        assertThat(total.batchesDurable).as("group commit: batches per fsync").isGreaterThan(total.commits);
        assertThat(total.crashes).isGreaterThan(20);
        assertThat(total.recoveries).as("every start and restart recovers").isGreaterThan(total.crashes);
        assertThat(total.crashesInCommit).as("crashes that met a commit in flight").isGreaterThan(5);
        assertThat(total.tornTailsCut + total.unacknowledgedKept).as("recoveries that found a write in flight")
                .isGreaterThan(0);
    }

    @Test
    void theRealLogReplaysTheSameTraceAndDiffersFromTheModel() {
        SeedResult wal = Simulation.run(11, SHORT);
        assertThat(Simulation.run(11, SHORT).traceHash()).isEqualTo(wal.traceHash());
        SeedResult model = Simulation.run(11, SHORT.withDisk(SimOptions.DiskModel.MODEL));
        assertThat(model.violation()).isNull();
        assertThat(Simulation.run(11, SHORT.withDisk(SimOptions.DiskModel.MODEL)).traceHash())
                .isEqualTo(model.traceHash());
        assertThat(model.traceHash()).as("a different disk gives a different run").isNotEqualTo(wal.traceHash());
    }
}
