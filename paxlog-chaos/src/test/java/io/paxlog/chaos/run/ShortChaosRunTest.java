package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.CheckResult;
import io.paxlog.chaos.check.Linearizability;
import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.check.Timeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short black-box run CI does: five real server processes, clients on the Java client and on HTTP,
 * the leader killed with -9 and restarted a few times; the history must be linearizable and no
 * acknowledged write lost or applied twice. Then, so that the pass means something, the same history
 * with one read changed to a value nobody wrote must fail the same checker within the same budget.
 */
class ShortChaosRunTest {

    @TempDir
    Path dir;

    @Test
    void theRegisterWorkloadStaysLinearizableWhileTheLeaderIsKilled() throws Exception {
        ChaosRun.Options options = ChaosRun.Options.shortRun(dir);
        RunReport report = ChaosRun.run(options);
        String text = report.text();
        System.out.println(text);
        assertThat(report.results()).as(text).hasSize(3);
        assertThat(report.results()).as(text).allMatch(r -> r instanceof CheckResult.Linearizable);
        assertThat(report.lostAcknowledgedWrites()).as(text).isZero();
        assertThat(report.duplicates()).as(text).isZero();
        // The run must have done what it claims to test: leaders killed, and writes acknowledged around them.
        assertThat(report.faults()).as(text).hasSizeGreaterThanOrEqualTo(2).allMatch(f -> f instanceof Fault.Killed);
        assertThat(report.acknowledgedWrites()).as(text).isGreaterThan(100);
        assertThat(report.passed()).as(text).isTrue();

        List<Operation<RegisterModel.Input, RegisterModel.Output>> ghost = new ArrayList<>();
        for (Operation<?, ?> op : report.history()) {
            ghost.add(register(op));
        }
        int last = lastAcknowledgedRead(ghost);
        Operation<RegisterModel.Input, RegisterModel.Output> read = ghost.get(last);
        ghost.set(last, Operation.ok(read.id(), read.client(), read.key(), read.input(),
                new RegisterModel.ReadValue("never-written"), read.invokeNanos(), read.completeNanos()));
        List<CheckResult> results = new Linearizability<>(RegisterModel.INSTANCE, options.budget()).check(ghost);
        CheckResult corrupted = results.stream().filter(r -> r.key().equals(read.key())).findFirst().orElseThrow();
        assertThat(corrupted).isInstanceOf(CheckResult.Violation.class);
        assertThat(((CheckResult.Violation) corrupted).culprit().id()).isEqualTo(read.id());
        Path page = dir.resolve("ghost.html");
        Timeline.write(page, "ghost read", List.of(corrupted), RegisterModel.INSTANCE);
        assertThat(Files.readString(page)).contains("key " + read.key() + ": not linearizable");
    }

    /** The register workload's operations are the register model's. */
    @SuppressWarnings("unchecked")
    private static Operation<RegisterModel.Input, RegisterModel.Output> register(Operation<?, ?> op) {
        assertThat(op.input()).isInstanceOf(RegisterModel.Input.class);
        return (Operation<RegisterModel.Input, RegisterModel.Output>) op;
    }

    private static int lastAcknowledgedRead(List<Operation<RegisterModel.Input, RegisterModel.Output>> history) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).input() instanceof RegisterModel.Read && history.get(i).outcome() == Outcome.OK) {
                return i;
            }
        }
        throw new AssertionError("no acknowledged read in the history");
    }
}
