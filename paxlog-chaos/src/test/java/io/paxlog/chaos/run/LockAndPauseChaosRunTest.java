package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.Budget;
import io.paxlog.chaos.check.CheckResult;
import io.paxlog.chaos.check.LockModel;
import io.paxlog.chaos.check.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Longer black-box runs, not yet in CI (tag {@code chaos}, run with {@code -Pchaos}): the lock workload
 * and SIGSTOP of the leader have had fewer runs on loaded machines than the short register run.
 */
@Tag("chaos")
class LockAndPauseChaosRunTest {

    @TempDir
    Path dir;

    @Test
    void locksKeepOneHolderAndGrowingTokensWhileTheLeaderIsKilledAndPaused() throws Exception {
        ChaosRun.Options options = new ChaosRun.Options(ChaosRun.Workload.LOCK, Duration.ofSeconds(50), 0, 4, 2,
                List.of(Fault.Kind.KILL_LEADER, Fault.Kind.PAUSE_LEADER), Duration.ofSeconds(10), Duration.ofSeconds(4),
                1000, 2000, Budget.of(20_000_000, Duration.ofSeconds(60)), dir, 7, false);
        RunReport report = ChaosRun.run(options);
        String text = report.text();
        System.out.println(text);
        assertThat(report.results()).as(text).hasSize(2).allMatch(r -> r instanceof CheckResult.Linearizable);
        assertThat(report.faults()).as(text).hasSizeGreaterThanOrEqualTo(2);
        assertThat(report.faults()).as(text).anyMatch(f -> f instanceof Fault.Killed)
                .anyMatch(f -> f instanceof Fault.Paused);
        long granted = report.history().stream()
                .filter(op -> op.outcome() == Outcome.OK && op.output() instanceof LockModel.Granted).count();
        assertThat(granted).as(text).isGreaterThan(20);
    }

    @Test
    void theRegisterWorkloadStaysLinearizableWhileTheLeaderIsPaused() throws Exception {
        ChaosRun.Options defaults = ChaosRun.Options.shortRun(dir);
        ChaosRun.Options options = new ChaosRun.Options(ChaosRun.Workload.REGISTER, Duration.ofSeconds(50), 3, 2, 3,
                List.of(Fault.Kind.PAUSE_LEADER), Duration.ofSeconds(10), Duration.ofSeconds(4), 1000, 2000,
                defaults.budget(), dir, 11, false);
        RunReport report = ChaosRun.run(options);
        String text = report.text();
        System.out.println(text);
        assertThat(report.passed()).as(text).isTrue();
        assertThat(report.faults()).as(text).hasSizeGreaterThanOrEqualTo(2).allMatch(f -> f instanceof Fault.Paused);
    }
}
