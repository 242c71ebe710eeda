package io.paxlog.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paxlog.core.ReplicaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    private static final Path BASE = Path.of("/srv/paxlog");

    private static final String GOOD = """
            cluster:
              id: prod-1
              service: journal
              exactlyOnceWindow: 256
              servers:
                - {id: 1, peer: "10.0.0.1:9000", client: "10.0.0.1:7000", http: "10.0.0.1:8000"}
                - {id: 2, peer: "10.0.0.2:9000", client: "10.0.0.2:7000", http: "10.0.0.2:8000"}
                - id: 3
                  peer: "[::1]:9003"
                  client: "host-3.example:7000"
                  http: "host-3.example:8000"
            server:
              dataDir: data/server-{id}
              electionTimeoutMinMs: 300
              electionTimeoutMaxMs: 600
              heartbeatIntervalMs: 50
              tickIntervalMs: 10
              snapshotEverySlots: 5000
              walSegmentBytes: 2097152
              limits:
                frameBytesMax: 8388608
                commandBytesMax: 65536
                clientQueueMax: 100
            """;

    private static final String MINIMAL = """
            cluster:
              id: c
              service: kv
              servers:
                - {id: 7, peer: "127.0.0.1:1", client: "127.0.0.1:2", http: "127.0.0.1:3"}
            server:
              dataDir: /var/lib/paxlog
            """;

    @Test
    void aGoodFileGivesEveryValueItStates() {
        ServerConfig config = ServerConfig.parse(GOOD, "good.yaml", BASE, 2);

        assertThat(config.cluster().id()).isEqualTo("prod-1");
        assertThat(config.cluster().exactlyOnceWindow()).isEqualTo(256);
        assertThat(config.cluster().serverIds()).containsExactly(1, 2, 3);
        assertThat(config.cluster().server(3).peer()).isEqualTo(new HostPort("::1", 9003));
        assertThat(config.cluster().server(3).client()).isEqualTo(new HostPort("host-3.example", 7000));
        assertThat(config.settings().tickIntervalMs()).isEqualTo(10);
        assertThat(config.settings().snapshotEverySlots()).isEqualTo(5000);
        assertThat(config.settings().limits().frameBytesMax()).isEqualTo(8 << 20);
        assertThat(config.settings().limits().clientQueueMax()).isEqualTo(100);
        assertThat(config.settings().limits().pendingCommandsMax()).isEqualTo(Limits.DEFAULTS.pendingCommandsMax());
        assertThat(config.dataDirectory(2)).isEqualTo(Path.of("/srv/paxlog/data/server-2").toAbsolutePath());
        assertThat(config.walConfig(2).segmentBytes()).isEqualTo(2 << 20);

        ReplicaConfig replica = config.replicaConfig(2);
        assertThat(replica.selfId()).isEqualTo(2);
        assertThat(replica.members()).containsExactly(1, 2, 3);
        assertThat(replica.electionTimeoutMinMs()).isEqualTo(300);
        assertThat(replica.electionTimeoutMaxMs()).isEqualTo(600);
        assertThat(replica.heartbeatIntervalMs()).isEqualTo(50);
        assertThat(replica.snapshotChunkBytesMax()).isEqualTo(Limits.DEFAULTS.snapshotChunkBytesMax());
    }

    @Test
    void omittedSettingsTakeTheirDefaults() {
        ServerConfig config = ServerConfig.parse(MINIMAL, "minimal.yaml", BASE, null);

        assertThat(config.cluster().service()).isEqualTo("kv");
        assertThat(config.cluster().exactlyOnceWindow()).isEqualTo(ClusterConfig.EXACTLY_ONCE_WINDOW_DEFAULT);
        assertThat(config.settings().electionTimeoutMinMs()).isEqualTo(1000);
        assertThat(config.settings().electionTimeoutMaxMs()).isEqualTo(2000);
        assertThat(config.settings().heartbeatIntervalMs()).isEqualTo(100);
        assertThat(config.settings().limits()).isEqualTo(Limits.DEFAULTS);
        assertThat(Limits.DEFAULTS.commandBytesMax()).as("a 1 MiB value, a 1 KiB key and the command's framing")
                .isGreaterThanOrEqualTo((1 << 20) + 1024 + 64);
        assertThat(config.dataDirectory(7)).isEqualTo(Path.of("/var/lib/paxlog"));
    }

    @Test
    void loadNamesTheFileAndResolvesTheDataDirectoryBesideIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, GOOD);
        assertThat(ServerConfig.load(file, 1).dataDirectory(1)).isEqualTo(dir.resolve("data/server-1"));

        Files.writeString(file, GOOD.replace("heartbeatIntervalMs: 50", "heartbeatIntervalMs: 300"));
        assertThatThrownBy(() -> ServerConfig.load(file, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": 1 problem")
                .hasMessageContaining("server.electionTimeoutMinMs: 300 must be above heartbeatIntervalMs (300)");
    }

    @Test
    void anUnreadableFileIsOneProblem(@TempDir Path dir) {
        assertThat(problems(() -> ServerConfig.load(dir.resolve("missing.yaml"))))
                .singleElement().asString().startsWith("cannot read the file");
    }

    @Test
    void duplicateServerIds() {
        String yaml = GOOD.replace("- {id: 2,", "- {id: 1,");
        assertThat(problems(yaml)).containsExactly("cluster.servers: server id 1 is used by 2 servers");
    }

    @Test
    void duplicateAddressesAcrossServersAndRoles() {
        String yaml = GOOD.replace("client: \"10.0.0.2:7000\"", "client: \"10.0.0.1:9000\"")
                .replace("http: \"host-3.example:8000\"", "http: \"HOST-3.example:7000\"");
        assertThat(problems(yaml)).containsExactly(
                "cluster.servers: address 10.0.0.1:9000 is used by both server 1 peer and server 2 client",
                "cluster.servers: address HOST-3.example:7000 is used by both server 3 client and server 3 http");
    }

    @Test
    void badAddresses() {
        String yaml = GOOD.replace("\"10.0.0.1:9000\"", "\"10.0.0.1\"")
                .replace("\"10.0.0.2:9000\"", "\"10.0.0.2:70000\"")
                .replace("\"[::1]:9003\"", "\"::1:9003\"")
                .replace("\"10.0.0.2:7000\"", "\":7000\"");
        assertThat(problems(yaml)).containsExactly(
                "cluster.servers[0].peer: \"10.0.0.1\" is not host:port",
                "cluster.servers[1].peer: \"10.0.0.2:70000\" has no valid port (1-65535)",
                "cluster.servers[1].client: \":7000\" is not host:port",
                "cluster.servers[2].peer: \"::1:9003\" is not host:port (write IPv6 as [address]:port)");
    }

    @Test
    void unknownFieldsAtEveryLevel() {
        String yaml = GOOD.replace("  service: journal", "  service: journal\n  sevrers: []")
                .replace("  tickIntervalMs: 10", "  tickIntervalMs: 10\n  heartbeat: 5")
                .replace("clientQueueMax: 100", "clientQueueMax: 100\n    frameBytes: 4")
                .replace("- {id: 1, peer:", "- {id: 1, ssl: true, peer:")
                + "extra: 1\n";
        assertThat(problems(yaml)).containsExactly(
                "extra: unknown field (known here: cluster, server)",
                "cluster.sevrers: unknown field (known here: exactlyOnceWindow, id, keyTtlMs, keysMax, servers, service, "
                        + "sessionTimeoutMs, sessionsMax)",
                "cluster.servers[0].ssl: unknown field (known here: client, http, id, peer)",
                "server.heartbeat: unknown field (known here: dataDir, electionTimeoutMaxMs, electionTimeoutMinMs, "
                        + "heartbeatIntervalMs, limits, snapshotEverySlots, tickIntervalMs, walSegmentBytes)",
                "server.limits.frameBytes: unknown field (known here: catchUpSlotsMax, clientQueueMax, commandBytesMax, "
                        + "frameBytesMax, httpBodyBytesMax, httpConnectionsPerAddressMax, inflightSlotsMax, peerQueueMax, "
                        + "pendingCommandsMax, readSlotsMax, snapshotChunkBytesMax, storeBatchBytesMax, storeBatchSlotsMax)");
    }

    @Test
    void theHttpLimitsAreReadAndMustBePositive() {
        String yaml = GOOD.replace("clientQueueMax: 100", "clientQueueMax: 100\n    httpBodyBytesMax: 4096\n"
                + "    httpConnectionsPerAddressMax: 2");
        Limits limits = ServerConfig.parse(yaml, "f.yaml", BASE, 1).settings().limits();
        assertThat(limits.httpBodyBytesMax()).isEqualTo(4096);
        assertThat(limits.httpConnectionsPerAddressMax()).isEqualTo(2);
        assertThat(ServerConfig.parse(GOOD, "f.yaml", BASE, 1).settings().limits().httpConnectionsPerAddressMax())
                .isEqualTo(Limits.DEFAULTS.httpConnectionsPerAddressMax());
        assertThat(problems(GOOD.replace("clientQueueMax: 100", "clientQueueMax: 100\n    httpBodyBytesMax: 0\n"
                + "    httpConnectionsPerAddressMax: -1")))
                .containsExactly("server.limits.httpBodyBytesMax: must be positive, was 0",
                        "server.limits.httpConnectionsPerAddressMax: must be positive, was -1");
    }

    @Test
    void electionTimeoutMinMustBeAboveTheHeartbeat() {
        String yaml = GOOD.replace("electionTimeoutMinMs: 300", "electionTimeoutMinMs: 50");
        assertThat(problems(yaml)).containsExactly("server.electionTimeoutMinMs: 50 must be above "
                + "heartbeatIntervalMs (50), or followers give up on a live leader between two heartbeats");
    }

    @Test
    void electionTimeoutMaxMustBeAboveMin() {
        String yaml = GOOD.replace("electionTimeoutMaxMs: 600", "electionTimeoutMaxMs: 200");
        assertThat(problems(yaml)).containsExactly("server.electionTimeoutMaxMs: 200 must be above "
                + "electionTimeoutMinMs (300) so that servers' timeouts differ and one of them wins");
    }

    @Test
    void tickMustBeFinerThanTheHeartbeat() {
        String yaml = GOOD.replace("tickIntervalMs: 10", "tickIntervalMs: 50");
        assertThat(problems(yaml)).containsExactly("server.tickIntervalMs: 50 must be below heartbeatIntervalMs (50)");
    }

    @Test
    void anUnknownIdIsNamedWithTheIdsThereAre() {
        assertThat(problems(() -> ServerConfig.parse(GOOD, "f.yaml", BASE, 9)))
                .containsExactly("--id 9: no server with this id in the cluster (ids: [1, 2, 3])");
    }

    @Test
    void anUnknownIdIsReportedAlongsideMistakesInTheClusterSection() {
        String yaml = GOOD.replace("\"10.0.0.1:9000\"", "\"10.0.0.1\"");
        assertThat(problems(() -> ServerConfig.parse(yaml, "f.yaml", BASE, 4))).containsExactly(
                "cluster.servers[0].peer: \"10.0.0.1\" is not host:port",
                "--id 4: no server with this id in the cluster (ids: [1, 2, 3])");
    }

    @Test
    void wrongTypesAndMissingFields() {
        String yaml = GOOD.replace("exactlyOnceWindow: 256", "exactlyOnceWindow: many")
                .replace("- {id: 2, peer: \"10.0.0.2:9000\",", "- {id: -2,")
                .replace("heartbeatIntervalMs: 50", "heartbeatIntervalMs: 1.5")
                .replace("  dataDir: data/server-{id}\n", "")
                .replace("commandBytesMax: 65536", "commandBytesMax: 99999999999");
        assertThat(problems(yaml)).containsExactly(
                "cluster.exactlyOnceWindow: must be a whole number, was \"many\"",
                "cluster.servers[1].peer: missing",
                "cluster.servers[1].id: server ids are positive, was -2",
                "server.dataDir: missing",
                "server.heartbeatIntervalMs: must be a whole number, was 1.5",
                "server.limits.commandBytesMax: 99999999999 is too large (at most 2147483647)");
    }

    @Test
    void outOfRangeValuesInEverySection() {
        String yaml = GOOD.replace("id: prod-1", "id: prod/1")
                .replace("service: journal", "service: kvstore")
                .replace("exactlyOnceWindow: 256", "exactlyOnceWindow: 0")
                .replace("snapshotEverySlots: 5000", "snapshotEverySlots: 0")
                .replace("walSegmentBytes: 2097152", "walSegmentBytes: 1000")
                .replace("clientQueueMax: 100", "clientQueueMax: 0");
        assertThat(problems(yaml)).containsExactly(
                "cluster.id: \"prod/1\" is not 1 to 64 characters from [A-Za-z0-9._-]",
                "cluster.service: no service named \"kvstore\" on the class path; found: [journal, kv, lock] (a service"
                        + " is a jar that lists its io.paxlog.api.service.Service implementation in"
                        + " META-INF/services/io.paxlog.api.service.Service)",
                "cluster.exactlyOnceWindow: 0 is not in 1-1048576",
                "server.limits.clientQueueMax: must be positive, was 0",
                "server.snapshotEverySlots: must be positive, was 0",
                "server.walSegmentBytes: 1000 is not in 1048576-1073741824");
    }

    @Test
    void aFrameTooSmallForAFullStoreBatch() {
        String yaml = GOOD.replace("commandBytesMax: 65536", "commandBytesMax: 65536\n    storeBatchBytesMax: 8388608");
        assertThat(problems(yaml)).singleElement().asString().startsWith(
                "server.limits.frameBytesMax: 8388608 cannot carry a full store message (storeBatchBytesMax 8388608");
    }

    @Test
    void everyMistakeIsListedTogether() {
        String yaml = GOOD.replace("- {id: 2,", "- {id: 1,")
                .replace("\"10.0.0.1:9000\"", "\"10.0.0.1:0\"")
                .replace("electionTimeoutMaxMs: 600", "electionTimeoutMaxMs: 100")
                .replace("electionTimeoutMinMs: 300", "electionTimeoutMinMs: 20")
                .replace("  tickIntervalMs: 10", "  tickIntervalMs: 10\n  timeout: 5");
        ConfigException e = catchThrowableOfType(() -> ServerConfig.parse(yaml, "all.yaml", BASE, 4),
                ConfigException.class);
        assertThat(e.problems()).containsExactly(
                "cluster.servers[0].peer: \"10.0.0.1:0\" has no valid port (1-65535)",
                "cluster.servers: server id 1 is used by 2 servers",
                "server.timeout: unknown field (known here: dataDir, electionTimeoutMaxMs, electionTimeoutMinMs, "
                        + "heartbeatIntervalMs, limits, snapshotEverySlots, tickIntervalMs, walSegmentBytes)",
                "server.electionTimeoutMinMs: 20 must be above heartbeatIntervalMs (50), or followers give up on a "
                        + "live leader between two heartbeats",
                "--id 4: no server with this id in the cluster (ids: [1, 3])");
        assertThat(e.getMessage()).startsWith("all.yaml: 5 problems" + System.lineSeparator()
                + "  - cluster.servers[0].peer: ");
    }

    @Test
    void aFileWithoutAServiceIsRefusedNamingTheServicesThereAre() {
        // It once ran the journal silently, and a user who meant kv learned it from the first 404.
        assertThat(problems(MINIMAL.replace("  service: kv\n", ""))).containsExactly("cluster.service: missing: name "
                + "the service every server runs, one of [journal, kv, lock] (e.g. service: kv); a data directory keeps "
                + "the service it was first started with");
    }

    @Test
    void notYamlOrNotTheRightShape() {
        assertThat(problems("cluster: [unclosed")).singleElement().asString().startsWith("line ");
        assertThat(problems("")).containsExactly("the file is empty; it needs a cluster and a server section");
        assertThat(problems("- a\n- b\n")).containsExactly("the file: must be a mapping of fields [cluster, server]");
        assertThat(problems("cluster:\n  id: x\n  service: kv\n  servers: {}\nserver:\n  dataDir: d\n")).containsExactly(
                "cluster.servers: must be a list of servers, each with id, peer, client and http");
        assertThat(problems("server:\n  dataDir: d\n")).containsExactly("cluster: missing (id, servers)");
        assertThat(problems("cluster:\n  id: x\n  service: kv\n  servers: []\nserver:\n  dataDir: d\n"))
                .containsExactly("cluster.servers: the cluster needs at least one server");
    }

    @Test
    void aKeyGivenTwiceIsAMistakeNotASilentOverride() {
        String yaml = GOOD.replace("  heartbeatIntervalMs: 50\n", "  heartbeatIntervalMs: 50\n  heartbeatIntervalMs: 60\n");
        assertThat(problems(yaml)).singleElement().asString().contains("heartbeatIntervalMs");
    }

    @Test
    void theDemoClusterConfigIsValidAndFollowsThePortPlan(@TempDir Path dir) throws Exception {
        Path file = DemoCluster.write(dir, DemoCluster.BASE_PORT_DEFAULT);
        ServerConfig config = ServerConfig.load(file, 5);

        assertThat(config.cluster().serverIds()).containsExactly(1, 2, 3, 4, 5);
        for (int i = 1; i <= 5; i++) {
            ServerAddresses server = config.cluster().server(i);
            assertThat(server.http()).isEqualTo(new HostPort("127.0.0.1", 8080 + i));
            assertThat(server.peer()).isEqualTo(new HostPort("127.0.0.1", 9080 + i));
            assertThat(server.client()).isEqualTo(new HostPort("127.0.0.1", 7080 + i));
            assertThat(config.dataDirectory(i)).isEqualTo(dir.resolve("server-" + i));
        }
    }

    @Test
    void aDemoBasePortShiftsAllThreePortsByTheSameOffset() {
        ServerConfig config = ServerConfig.parse(DemoCluster.yaml(10080), "demo", BASE, null);
        ServerAddresses server = config.cluster().server(3);
        assertThat(List.of(server.http().port(), server.peer().port(), server.client().port()))
                .containsExactly(10083, 11083, 9083);
        assertThatThrownBy(() -> DemoCluster.yaml(1500)).hasMessageContaining("must lie in 1024-65535");
        assertThatThrownBy(() -> DemoCluster.yaml(65000)).hasMessageContaining("must lie in 1024-65535");
    }

    private static List<String> problems(String yaml) {
        return problems(() -> ServerConfig.parse(yaml, "test.yaml", BASE, null));
    }

    private static List<String> problems(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        ConfigException e = catchThrowableOfType(call, ConfigException.class);
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }
}
