package io.paxlog.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.service.Service;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import io.paxlog.kv.KvService;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockResult;
import io.paxlog.lock.LockService;
import io.paxlog.server.config.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads and lock expiry through the whole stack: PaxlogClient, the client protocol over TCP, three PaxlogServers. */
class PaxlogServerReadTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<PaxlogServer> servers = new ArrayList<>();
    private final Map<Integer, Integer> exits = new ConcurrentHashMap<>();
    private PaxlogClient client;

    @AfterEach
    void stopAll() {
        if (client != null) {
            client.close();
        }
        servers.forEach(PaxlogServer::close);
        assertThat(exits).as("servers that wanted to exit").isEmpty();
    }

    private PaxlogClient startCluster(Service<?, ?> service) {
        ServerConfig config = ServerConfig.parse(FreePorts.clusterYaml(3, "server-{id}", "")
                .replace("  service: journal\n", "  service: " + service.name() + "\n"), "test", dir, null);
        Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            int self = id;
            PaxlogServer server = PaxlogServer.start(config, id, service, status -> exits.put(self, status));
            servers.add(server);
            addresses.put(id, server.clientAddress());
        }
        client = PaxlogClient.builder().servers(addresses).clusterId(config.cluster().id())
                .requestTimeout(BOUND).noLeaderTimeout(Duration.ofSeconds(10)).build();
        return client;
    }

    private long appliedEverywhereMin() {
        return servers.stream().mapToLong(s -> s.status().appliedSlot()).min().orElseThrow();
    }

    @Test
    void aKvQueryOverTheWireSeesTheLastPutWithoutALogSlot() throws Exception {
        PaxlogClient kv = startCluster(new KvService());
        Result put = kv.call(KvCommands.put(bytes("k"), bytes("v")));
        Await.until(BOUND, "every server applied the put", () -> appliedEverywhereMin() >= put.slot());

        Result got = kv.queryAndWait(KvCommands.get(bytes("k")));

        assertThat(KvCommands.decodeResult(got.value())).isEqualTo(new KvResult.Found(bytes("v"), put.slot()));
        assertThat(got.slot()).isEqualTo(put.slot());
        assertThat(servers).allSatisfy(s -> assertThat(s.status().appliedSlot()).isEqualTo(put.slot()));
    }

    @Test
    void aLockExpiresThroughTheLogAndTheNextHolderGetsAGreaterToken() throws Exception {
        PaxlogClient locks = startCluster(new LockService());
        LockResult first = LockCommands.decodeResult(locks.call(LockCommands.acquire("job", "alice", 800)).value());
        long token = ((LockResult.Granted) first).token();

        LockResult shown = LockCommands.decodeResult(locks.queryAndWait(LockCommands.show("job")).value());
        assertThat(shown).isInstanceOf(LockResult.Held.class);
        assertThat(((LockResult.Held) shown).remainingMs()).isBetween(1L, 800L);

        Await.until(BOUND, "the lease expired", () -> {
            try {
                return LockCommands.decodeResult(locks.queryAndWait(LockCommands.show("job")).value())
                        instanceof LockResult.Free;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        LockResult second = LockCommands.decodeResult(locks.call(LockCommands.acquire("job", "bob", 800)).value());

        assertThat(second).isInstanceOf(LockResult.Granted.class);
        assertThat(((LockResult.Granted) second).token()).isGreaterThan(token);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
