package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import io.paxlog.kv.KvService;
import io.paxlog.lock.LockService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster in one JVM: ready when started, survives its leader stopping, and keeps its data across starts. */
class EmbeddedClusterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EmbeddedCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aStartedClusterAnswersAtOnceOutlivesItsLeaderAndKeepsItsDataForTheNextStart() throws Exception {
        cluster = EmbeddedCluster.builder().servers(3).service(new KvService()).dataDir(dir).start();
        assertThat(cluster.serverIds()).containsExactly(1, 2, 3);
        assertThat(cluster.clientAddresses()).hasSize(3);
        assertThat(Files.readString(dir.resolve(EmbeddedCluster.CONFIG_FILE))).contains("service: kv");
        put("color", "blue");

        int leader = cluster.awaitLeader(BOUND);
        cluster.stop(leader);
        int next = cluster.awaitLeader(BOUND);
        assertThat(next).isNotEqualTo(leader);
        put("size", "large");
        cluster.restart(leader);
        assertThat(cluster.runningIds()).containsExactly(1, 2, 3);
        cluster.close();

        cluster = EmbeddedCluster.builder().servers(3).service(new KvService()).dataDir(dir).start();
        assertThat(get("color")).isEqualTo("blue");
        assertThat(get("size")).isEqualTo("large");
        assertThat(cluster.failures()).isEmpty();
    }

    @Test
    void dataOfAnotherServiceAndMissingSettingsAreRefused() {
        cluster = EmbeddedCluster.builder().servers(1).service(new KvService()).dataDir(dir).start();
        cluster.close();
        cluster = null;
        assertThatThrownBy(() -> EmbeddedCluster.builder().servers(1).service(new LockService()).dataDir(dir).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds the data of a kv cluster, which the lock service cannot read");
        assertThatThrownBy(() -> EmbeddedCluster.builder().service(new KvService()).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a data directory");
        assertThatThrownBy(() -> EmbeddedCluster.builder().servers(0).service(new KvService()).dataDir(dir).start())
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void put(String key, String value) throws Exception {
        KvResult result = KvCommands.decodeResult(cluster.client().submitAndWait(KvCommands.put(bytes(key), bytes(value))));
        assertThat(result).isInstanceOf(KvResult.Written.class);
    }

    private String get(String key) throws Exception {
        KvResult result = KvCommands.decodeResult(cluster.client().queryAndWait(KvCommands.get(bytes(key))).value());
        assertThat(result).isInstanceOf(KvResult.Found.class);
        return new String(((KvResult.Found) result).value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
