package io.paxlog.chaos.avail;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.Budget;
import io.paxlog.chaos.run.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized availability run on real processes: a deaf follower, then a mute leader, each held 8 s
 * on a fresh 5-server cluster behind link proxies. Before pre-vote and leader stickiness a deaf server
 * stopped writes for 26-28 s of a 30 s fault (issue 10), that is for the whole hold here; the bound,
 * 5 s at every entrance that can answer, is generous for a loaded machine and still fails that. The
 * histories must be linearizable with nothing acknowledged lost, as in every black-box run.
 */
class AvailabilityProcessTest {

    private static final long BOUND_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void aDeafFollowerAndAMuteLeaderStopWritesAtNoEntranceForLong() throws Exception {
        AvailabilityRun.Options options = new AvailabilityRun.Options(
                List.of(Fault.Kind.DEAF_FOLLOWER, Fault.Kind.MUTE_LEADER), Duration.ofSeconds(2), Duration.ofSeconds(8),
                Duration.ofSeconds(3), Duration.ofMillis(50), AvailabilityRun.MAX_IN_FLIGHT, 1000, 2000, Duration.ofSeconds(2),
                Budget.of(20_000_000, Duration.ofSeconds(60)), dir);
        AvailabilityReport report = AvailabilityRun.run(options, System.out::println);
        String table = report.table();
        System.out.println(table);
        assertThat(report.faults()).as(table).hasSize(2);
        assertThat(report.safe()).as(table).isTrue();
        for (AvailabilityReport.FaultResult fault : report.faults()) {
            assertThat(fault.ports()).as(table).hasSize(6).allMatch(AvailabilityReport.PortResult::answersByNature);
            for (AvailabilityReport.PortResult port : fault.ports()) {
                String what = fault.kind() + " at " + port.label() + "\n" + table;
                assertThat(port.hold().longestGapMillis()).as(what).isLessThan(BOUND_MS);
                assertThat(port.after().longestGapMillis()).as(what).isLessThan(BOUND_MS);
                assertThat(port.hold().ok()).as(what).isGreaterThan(20);
            }
        }
        AvailabilityReport.FaultResult deaf = report.faults().get(0);
        // The deaf follower cannot depose the leader it does not hear: one leader throughout.
        assertThat(deaf.leadersDuringHold()).as(table).hasSize(1);
        AvailabilityReport.FaultResult mute = report.faults().get(1);
        // Nobody hears the mute leader: the others elect another, so the cut did cut.
        assertThat(mute.leadersDuringHold()).as(table).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Files.readString(report.directory().resolve("availability.json")))
                .contains("\"worstAnsweringGapMillis\"").contains("deaf_follower").contains("mute_leader");
    }
}
