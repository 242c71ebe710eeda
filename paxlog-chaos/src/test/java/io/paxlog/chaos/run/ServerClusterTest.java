package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.chaos.net.Link;
import io.paxlog.server.config.ServerConfig;
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
    void aStaleServerOfANestedRunBehindProxiesIsKilledToo(@TempDir Path parent) throws Exception {
        Path run = Files.createDirectories(parent.resolve(ServerCluster.PREFIX + "avail-1")
                .resolve(ServerCluster.PREFIX + "deaf_leader"));
        Files.createDirectories(run.resolve("pids"));
        Process stale = new ProcessBuilder("sh", "-c", "sleep 120", run.resolve("cluster-3.yaml").toString()).start();
        try {
            Files.writeString(run.resolve("pids").resolve("3"), Long.toString(stale.pid()));
            assertThat(ServerCluster.killStale(parent)).isEqualTo(1);
            assertThat(stale.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            stale.destroyForcibly();
            stale.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Behind proxies each server has a file of its own: its own peer address is where it listens, each
     * other server's is the proxy of the link to it, and every file loads as the same cluster.
     */
    @Test
    void behindProxiesEachServersFileNamesItsOwnLinks(@TempDir Path parent) throws Exception {
        try (ServerCluster cluster = new ServerCluster(parent.resolve(ServerCluster.PREFIX + "p"), 5, "kv", 1000, 2000,
                ServerCluster.Network.PROXIED)) {
            for (int id : cluster.ids()) {
                ServerConfig config = ServerConfig.load(cluster.configFile(id), id);
                assertThat(config.cluster().id()).isEqualTo("chaos");
                assertThat(config.cluster().serverIds()).isEqualTo(cluster.ids());
                for (int other : cluster.ids()) {
                    int peerPort = config.cluster().server(other).peer().socketAddress().getPort();
                    if (other == id) {
                        assertThat(peerPort).isEqualTo(cluster.ports(id).peer());
                    } else {
                        assertThat(peerPort).isEqualTo(cluster.links().proxy(new Link(id, other)).port());
                    }
                    assertThat(config.cluster().server(other).http().socketAddress().getPort())
                            .isEqualTo(cluster.ports(other).http());
                }
            }
        }
    }

    @Test
    void aRunDirectoryMustCarryThePrefix(@TempDir Path parent) {
        assertThatThrownBy(() -> new ServerCluster(parent.resolve("elsewhere"), 5, "kv", 1000, 2000,
                ServerCluster.Network.LOOPBACK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(ServerCluster.PREFIX);
    }
}
