package io.paxlog.chaos.avail;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.run.Fault;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's figures in full (tag {@code chaos}, run with {@code -Pchaos}; about 10 minutes): all eight
 * faults, each held 30 s on a fresh cluster. Asserts safety, and that no entrance that can answer goes
 * longer than 8 s without a write, a bound generous enough for a loaded shared machine and far below the
 * 26-28 s the deaf-server fault cost before pre-vote; the 2 s goal itself is in the printed table.
 */
@Tag("chaos")
class AvailabilityAllFaultsTest {

    @TempDir
    Path dir;

    @Test
    void everyFaultConfinedToAMinorityLeavesWritesFlowing() throws Exception {
        List<Fault.Kind> all = AvailabilityReport.allWithoutRoot();
        AvailabilityReport report = AvailabilityRun.run(AvailabilityRun.Options.issue10(all, dir), System.out::println);
        String table = report.table();
        System.out.println(table);
        assertThat(report.faults()).as(table).hasSize(all.size());
        assertThat(report.safe()).as(table).isTrue();
        assertThat(report.faults()).as(table).allMatch(f -> f.worstAnsweringGapMillis() < 8_000);
    }
}
