package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockMachine;
import io.paxlog.api.Epoch;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.lock.LockExpiry;
import org.junit.jupiter.api.Test;

/** The lock workload's checks on their own, fed by hand: they accept the right thing and refuse the wrong. */
class LockWorkloadTest {

    private final LockWorkload workload = new LockWorkload();
    private final LockMachine machine = new LockMachine();

    private void apply(long slot, byte[] payload) {
        byte[] result = machine.apply(slot, payload);
        workload.firstApplied(slot, new Command(1000, slot, payload),
                new ExactlyOnce.Outcome(ExactlyOnce.Outcome.Kind.APPLIED, result, slot), machine);
    }

    @Test
    void aStaleHolderIsRefusedByTheResourceOnceTheNewHolderWrote() {
        apply(1, LockCommands.acquire("L0", "c1", 100));
        apply(2, LockCommands.expire("L0", 1, 1));
        apply(3, LockCommands.acquire("L0", "c2", 100));
        assertThat(workload.fencedWrite(new SimWorkload.FencedWrite(1, "L0", 3, 2), 10)).contains("accepted token 3");
        assertThat(workload.fencedWrite(new SimWorkload.FencedWrite(1, "L0", 1, 1), 20)).contains("refused token 1");
        assertThat(workload.stats()).contains("expiries=1").contains("fenced_accepted=1").contains("fenced_rejected=1");
    }

    @Test
    void aResourceAcceptingATokenTheLogNeverGaveThatWriterIsAViolation() {
        apply(1, LockCommands.acquire("L0", "c1", 100));
        assertThatThrownBy(() -> workload.fencedWrite(new SimWorkload.FencedWrite(1, "L0", 1, 2), 10))
                .isInstanceOf(Violation.class).hasMessageContaining("granted that token to c1");
        assertThatThrownBy(() -> workload.fencedWrite(new SimWorkload.FencedWrite(1, "L0", 5, 1), 10))
                .isInstanceOf(Violation.class).hasMessageContaining("granted that token to null");
    }

    @Test
    void theLeaderDutiesAreTheServersOwnExpirySchedulerOverTheMachine() {
        apply(1, LockCommands.acquire("L0", "c1", 100));
        LeaderDuties duties = workload.newLeaderDuties(machine);
        Epoch term = new Epoch(1, 1);
        assertThat(duties).isInstanceOf(LockExpiry.class);
        assertThat(duties.tick(term, 1_000)).isEmpty();
        assertThat(duties.tick(term, 1_099)).isEmpty();
        assertThat(duties.tick(term, 1_100)).containsExactly(LockCommands.expire("L0", 1, 1));
        assertThat(duties.tick(null, 1_150)).as("a follower proposes nothing").isEmpty();
        assertThat(duties.tick(term, 1_170)).as("a new leadership gives a full ttl").isEmpty();
        assertThat(duties.tick(term, 1_270)).hasSize(1);
    }
}
