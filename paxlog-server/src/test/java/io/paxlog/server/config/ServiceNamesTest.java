package io.paxlog.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.StateMachine;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvMachine;
import io.paxlog.kv.KvResult;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockMachine;
import io.paxlog.lock.LockResult;
import io.paxlog.journal.JournalMachine;
import io.paxlog.server.Services;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The service names the configuration accepts and the state machines the server builds for them. */
class ServiceNamesTest {

    @Test
    void everyServiceTheConfigurationAcceptsCanBeBuilt() {
        assertThat(ClusterConfig.SERVICES).containsExactly("journal", "kv", "lock");
        for (String service : ClusterConfig.SERVICES) {
            assertThat(Services.byName(service).get()).as(service).isNotNull();
        }
        assertThat(Services.byName("journal").get()).isInstanceOf(JournalMachine.class);
        assertThat(Services.byName("kv").get()).isInstanceOf(KvMachine.class);
        assertThat(Services.byName("lock").get()).isInstanceOf(LockMachine.class);
        assertThatThrownBy(() -> Services.byName("kvstore")).hasMessage("unknown service \"kvstore\"; known: [journal, kv, lock]");
    }

    @Test
    void eachCallBuildsAFreshMachine() {
        StateMachine kv = Services.byName("kv").get();
        kv.apply(1, KvCommands.put(new byte[] {1}, new byte[] {2}));
        StateMachine other = Services.byName("kv").get();
        assertThat(KvCommands.decodeResult(other.apply(2, KvCommands.get(new byte[] {1})))).isEqualTo(new KvResult.NotFound());

        StateMachine lock = Services.byName("lock").get();
        assertThat(LockCommands.decodeResult(lock.apply(1, LockCommands.acquire("a", "x", 10))))
                .isEqualTo(new LockResult.Granted(1, 10, false));
    }

    @Test
    void aClusterMayRunTheKvAndLockServices() {
        for (String service : new String[] {"kv", "lock"}) {
            String yaml = """
                    cluster:
                      id: c1
                      service: %s
                      servers:
                        - {id: 1, peer: "127.0.0.1:9000", client: "127.0.0.1:7000", http: "127.0.0.1:8000"}
                    server:
                      dataDir: data
                    """.formatted(service);
            assertThat(ServerConfig.parse(yaml, "test.yaml", Path.of("/srv"), null).cluster().service()).isEqualTo(service);
        }
    }
}
