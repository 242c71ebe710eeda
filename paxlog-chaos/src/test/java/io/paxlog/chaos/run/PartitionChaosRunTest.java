package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader cut off from the other servers while clients still reach it: it must stop answering as
 * leader (check-quorum), a new leader takes over, and nothing the old one says may contradict it. Servers
 * run in network namespaces, so this needs root and {@code ip netns}; tag {@code chaos}, not in CI.
 */
@Tag("chaos")
class PartitionChaosRunTest {

    @TempDir
    Path dir;

    @Test
    void theRegisterWorkloadStaysLinearizableWhileTheLeaderIsPartitioned() throws Exception {
        assumeTrue(namespacesWork(), "needs root and ip netns");
        ChaosRun.Options defaults = ChaosRun.Options.shortRun(dir);
        ChaosRun.Options options = new ChaosRun.Options(ChaosRun.Workload.REGISTER, Duration.ofSeconds(45), 3, 2, 3,
                List.of(Fault.Kind.PARTITION_LEADER), Duration.ofSeconds(8), Duration.ofSeconds(5), 1000, 2000,
                defaults.budget(), dir, 13, false);
        RunReport report = ChaosRun.run(options);
        String text = report.text();
        System.out.println(text);
        assertThat(report.passed()).as(text).isTrue();
        assertThat(report.faults()).as(text).hasSizeGreaterThanOrEqualTo(2).allMatch(f -> f instanceof Fault.Partitioned);
        assertThat(report.acknowledgedWrites()).as(text).isGreaterThan(100);
        assertThat(run("ip", "netns", "list")).as("namespaces left behind").doesNotContain(ServerCluster.PREFIX);
        assertThat(run("ip", "-o", "link", "show")).as("links left behind").doesNotContain(ServerCluster.PREFIX);
    }

    @Test
    void whatAKilledRunLeftIsRemovedBeforeTheNext() throws Exception {
        assumeTrue(namespacesWork(), "needs root and ip netns");
        try {
            run("ip", "netns", "add", ServerCluster.PREFIX + "s9");
            run("ip", "link", "add", ServerCluster.PREFIX + "h9", "type", "veth", "peer", "name",
                    ServerCluster.PREFIX + "n9");
            Namespaces.removeStale();
            assertThat(run("ip", "netns", "list")).doesNotContain(ServerCluster.PREFIX);
            assertThat(run("ip", "-o", "link", "show")).doesNotContain(ServerCluster.PREFIX);
        } finally {
            Namespaces.removeStale();
        }
    }

    private static boolean namespacesWork() throws Exception {
        try {
            run("ip", "netns", "list");
            return "root".equals(System.getProperty("user.name"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
