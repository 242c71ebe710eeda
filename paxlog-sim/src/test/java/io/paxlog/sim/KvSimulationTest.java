package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.StateMachine;
import io.paxlog.kv.KvCommand;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvMachine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key-value store of paxlog-kv under the simulator's faults, checked for linearizability. */
class KvSimulationTest {

    private static final SimOptions KV = SimOptions.defaults().withSafetyMs(10_000)
            .withWorkload(SimOptions.Workload.KV);

    @Test
    void sixtyKvSeedsUnderFaultsAreLinearizable() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 60, KV);
        assertThat(WorkloadSeeds.violations(runs)).isEmpty();
        long commands = runs.stream().mapToLong(run -> run.result().commandsCompleted()).sum();
        assertThat(commands).as("kv operations completed").isGreaterThan(60 * 100);
        // Both outcomes of compare-and-set and put-if-absent occur, so the check compares both.
        assertThat(WorkloadSeeds.sum(runs, "conditions_held")).isGreaterThan(1000);
        assertThat(WorkloadSeeds.sum(runs, "conditions_failed")).isGreaterThan(1000);
        assertThat(WorkloadSeeds.sum(runs, "index_reads")).as("gets and lists by read-index").isGreaterThan(1000);
    }

    @Test
    void aKvSeedReplaysTheSameTrace() {
        for (long seed : new long[] {4, 31}) {
            SeedResult first = Simulation.run(seed, KV);
            SeedResult again = Simulation.run(seed, KV);
            assertThat(first.violation()).isNull();
            assertThat(again.traceHash()).as("trace hash of kv seed %d", seed).isEqualTo(first.traceHash());
            assertThat(again.lastEvents()).isEqualTo(first.lastEvents());
        }
        assertThat(Simulation.run(4, KV).traceHash()).as("the workload changes the run")
                .isNotEqualTo(Simulation.run(4, KV.withWorkload(SimOptions.Workload.APPEND)).traceHash());
    }

    @Test
    void theReplayCommandNamesTheWorkload() {
        SeedResult result = Simulation.run(2, KV);
        assertThat(result.replayCommand())
                .isEqualTo("./paxlog sim --seed 2 --servers " + result.servers() + " --seconds 10 --workload kv");
    }

    @Test
    void aStoreThatIgnoresTheCompareAndSetVersionIsCaught() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 6, KV.withMachines(CasIgnoringMachine::new));
        assertThat(runs).allSatisfy(run -> assertThat(run.result().violation()).as("seed %d", run.result().seed())
                .startsWith("not linearizable"));
        assertThat(runs.get(0).result().replayCommand()).contains("a test's own state machine");
    }

    @Test
    void aStoreWhoseReadIndexAnswersLagOneCommandBehindIsCaught() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 6, KV.withMachines(LaggingReadsMachine::new));
        assertThat(runs).anySatisfy(run -> assertThat(run.result().violation()).contains("index-"));
        assertThat(runs).allSatisfy(run -> assertThat(run.result().violation()).as("seed %d", run.result().seed())
                .startsWith("not linearizable"));
    }

    /** A broken store: read-index queries are answered from the state before the last command. */
    static final class LaggingReadsMachine implements StateMachine, SimWorkload.Wrapper {
        private final KvMachine machine = new KvMachine();
        private final KvMachine behind = new KvMachine();
        private long lastSlot;
        private byte[] lastPayload;

        @Override
        public byte[] apply(long slot, byte[] payload) {
            if (lastPayload != null) {
                behind.apply(lastSlot, lastPayload);
            }
            lastSlot = slot;
            lastPayload = payload;
            return machine.apply(slot, payload);
        }

        @Override
        public byte[] query(byte[] request) {
            return behind.query(request);
        }

        @Override
        public byte[] snapshot() {
            return machine.snapshot();
        }

        @Override
        public void restore(byte[] snapshot) {
            machine.restore(snapshot);
            behind.restore(snapshot);
            lastPayload = null;
        }

        @Override
        public StateMachine delegate() {
            return machine;
        }
    }

    /** A broken store: a compare-and-set writes whatever the key's version is. */
    static final class CasIgnoringMachine implements StateMachine, SimWorkload.Wrapper {
        private final KvMachine machine = new KvMachine();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            if (KvCommands.decodeCommand(payload) instanceof KvCommand.Put put
                    && put.condition().kind() == KvCommand.Condition.Kind.VERSION_IS) {
                return machine.apply(slot, KvCommands.put(put.key(), put.value()));
            }
            return machine.apply(slot, payload);
        }

        @Override
        public byte[] query(byte[] request) {
            return machine.query(request);
        }

        @Override
        public byte[] snapshot() {
            return machine.snapshot();
        }

        @Override
        public void restore(byte[] snapshot) {
            machine.restore(snapshot);
        }

        @Override
        public StateMachine delegate() {
            return machine;
        }
    }
}
