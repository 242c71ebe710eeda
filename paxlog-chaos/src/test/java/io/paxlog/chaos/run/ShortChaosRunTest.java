package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.CheckResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short black-box run CI does: five real server processes, clients on the Java client and on HTTP,
 * the leader killed with -9 and restarted a few times; the history must be linearizable and no
 * acknowledged write lost or applied twice.
 */
class ShortChaosRunTest {

    @TempDir
    Path dir;

    @Test
    void theRegisterWorkloadStaysLinearizableWhileTheLeaderIsKilled() throws Exception {
        RunReport report = ChaosRun.run(ChaosRun.Options.shortRun(dir));
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
    }
}
