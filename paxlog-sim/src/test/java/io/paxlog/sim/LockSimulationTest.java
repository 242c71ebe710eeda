package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.StateMachine;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LockCommand;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockMachine;
import io.paxlog.lock.LockResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The lock service of paxlog-lock under the simulator's faults: never two holders, tokens only grow, and
 * the fenced resources never accept an older token after a newer one.
 */
class LockSimulationTest {

    private static final SimOptions LOCK = SimOptions.defaults().withSafetyMs(10_000)
            .withWorkload(SimOptions.Workload.LOCK);

    @Test
    void sixtyLockSeedsUnderFaultsKeepOneHolderAndGrowingTokens() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 60, LOCK);
        assertThat(WorkloadSeeds.violations(runs)).isEmpty();
        // The checks had something to check: grants, renewals, the leader's expiries, and stale holders
        // whose writes the resources refused.
        assertThat(WorkloadSeeds.sum(runs, "grants")).isGreaterThan(60 * 20);
        assertThat(WorkloadSeeds.sum(runs, "renewals")).isGreaterThan(60 * 10);
        assertThat(WorkloadSeeds.sum(runs, "expiries")).isGreaterThan(60 * 5);
        assertThat(WorkloadSeeds.sum(runs, "fenced_rejected")).isGreaterThan(60 * 5);
        assertThat(WorkloadSeeds.sum(runs, "fenced_accepted")).isGreaterThan(60 * 50);
    }

    @Test
    void aLockSeedReplaysTheSameTrace() {
        for (long seed : new long[] {4, 31}) {
            SeedResult first = Simulation.run(seed, LOCK);
            SeedResult again = Simulation.run(seed, LOCK);
            assertThat(first.violation()).isNull();
            assertThat(again.traceHash()).as("trace hash of lock seed %d", seed).isEqualTo(first.traceHash());
            assertThat(again.lastEvents()).isEqualTo(first.lastEvents());
        }
        assertThat(Simulation.run(2, LOCK).replayCommand()).endsWith(" --seconds 10 --workload lock");
    }

    @Test
    void aRenewalThatHandsOutALowerTokenIsCaught() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 6, LOCK.withMachines(() -> new BrokenLocks(false)));
        assertThat(runs).allSatisfy(run -> assertThat(run.result().violation()).as("seed %d", run.result().seed())
                .startsWith("lock: a renewal changed the token"));
    }

    @Test
    void anExpiryThatTakesARenewedLeaseIsCaught() {
        List<WorkloadSeeds.Run> runs = WorkloadSeeds.run(1, 10, LOCK.withMachines(() -> new BrokenLocks(true)));
        assertThat(runs).anySatisfy(run -> assertThat(run.result().violation())
                .contains("an expire frees exactly the lease it names"));
        assertThat(runs).allSatisfy(run -> assertThat(run.result().violation()).satisfiesAnyOf(
                violation -> assertThat(violation).isNull(),
                violation -> assertThat(violation).startsWith("lock: ")));
    }

    /**
     * A broken lock service: either a renewal answers a token one below the holder's, or an expire frees
     * the named lock even if its holder renewed it after the expire was decided.
     */
    static final class BrokenLocks implements StateMachine, SimWorkload.Wrapper {
        private final LockMachine machine = new LockMachine();
        private final boolean expireIgnoresRenewal;

        BrokenLocks(boolean expireIgnoresRenewal) {
            this.expireIgnoresRenewal = expireIgnoresRenewal;
        }

        @Override
        public byte[] apply(long slot, byte[] payload) {
            LockCommand command = LockCommands.decodeCommand(payload);
            if (expireIgnoresRenewal && command instanceof LockCommand.Expire expire) {
                Optional<Lease> current = machine.show(expire.name());
                if (current.isPresent() && current.get().token() == expire.token()) {
                    return machine.apply(slot, LockCommands.expire(current.get()));
                }
                return machine.apply(slot, payload);
            }
            byte[] result = machine.apply(slot, payload);
            if (!expireIgnoresRenewal && LockCommands.decodeResult(result) instanceof LockResult.Granted grant
                    && grant.renewed() && grant.token() > 1) {
                return LockCommands.encodeResult(new LockResult.Granted(grant.token() - 1, grant.ttlMs(), true));
            }
            return result;
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
