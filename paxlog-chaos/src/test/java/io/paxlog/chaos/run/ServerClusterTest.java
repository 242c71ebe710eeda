package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleanup of servers an earlier run's JVM left behind, without starting any server. */
class ServerClusterTest {

    @Test
    void aStaleRunsProcessIsKilledAndAnUnrelatedPidLeftAlone(@TempDir Path parent) throws Exception {
        Path run = Files.createDirectories(parent.resolve(ServerCluster.PREFIX + "old"));
        Path config = run.resolve("cluster.yaml");
        Files.writeString(config, "");
        Files.createDirectories(run.resolve("pids"));
        // A stand-in for a server: a process whose command line names that run's configuration.
        Process stale = new ProcessBuilder("sh", "-c", "sleep 120", config.toString()).start();
        Process unrelated = new ProcessBuilder("sleep", "120").start();
        try {
            Files.writeString(run.resolve("pids").resolve("1"), Long.toString(stale.pid()));
            Files.writeString(run.resolve("pids").resolve("2"), Long.toString(unrelated.pid()));
            assertThat(ServerCluster.killStale(parent)).isEqualTo(1);
            assertThat(stale.waitFor(10, TimeUnit.SECONDS)).as("the stale process dies").isTrue();
            assertThat(unrelated.isAlive()).as("a pid now of another program is left alone").isTrue();
            assertThat(run.resolve("pids")).isEmptyDirectory();
        } finally {
            stale.destroyForcibly();
            unrelated.destroyForcibly();
            stale.waitFor(10, TimeUnit.SECONDS);
            unrelated.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRunDirectoryMustCarryThePrefix(@TempDir Path parent) {
        assertThatThrownBy(() -> new ServerCluster(parent.resolve("elsewhere"), 5, "kv", 1000, 2000,
                ServerCluster.Network.LOOPBACK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ServerCluster.PREFIX);
    }
}
