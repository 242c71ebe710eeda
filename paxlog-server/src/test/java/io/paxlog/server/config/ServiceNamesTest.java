package io.paxlog.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;
import io.paxlog.server.service.ServiceCatalog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service names a configuration accepts: any one service found, not a fixed list. */
class ServiceNamesTest {

    private static final Path BASE = Path.of("/srv");

    @Test
    void aClusterMayRunAnyServiceOnTheClassPath() {
        for (String service : List.of("journal", "kv", "lock")) {
            assertThat(ServerConfig.parse(yaml(service), "test.yaml", BASE, null).cluster().service()).isEqualTo(service);
        }
    }

    @Test
    void aServiceNotOnTheClassPathIsRefusedNamingThoseThatAre() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ServerConfig.parse(yaml("kvstore"), "test.yaml", BASE, null));
        assertThat(e.problems()).containsExactly("cluster.service: no service named \"kvstore\" on the class path; "
                + "found: [journal, kv, lock] (a service is a jar that lists its io.paxlog.api.service.Service "
                + "implementation in META-INF/services/io.paxlog.api.service.Service)");
    }

    @Test
    void aNameThatIsNotOneIsRefusedBeforeAnyLookUp() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ServerConfig.parse(yaml("\"Key Value\""), "test.yaml", BASE, null));
        assertThat(e.problems()).containsExactly(
                "cluster.service: \"Key Value\" is not a service name (1 to 64 characters from [a-z0-9-])");
    }

    @Test
    void anEmbeddedClusterChecksAgainstTheServicesItWasGiven() {
        ServiceCatalog given = ServiceCatalog.of(List.of(new Named("counter")));
        assertThat(ServerConfig.parse(yaml("counter"), "embedded", BASE, null, given).cluster().service())
                .isEqualTo("counter");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ServerConfig.parse(yaml("kv"), "embedded", BASE, null, given));
        assertThat(e.problems()).singleElement().asString().startsWith("cluster.service: no service named \"kv\" given; "
                + "found: [counter]");
    }

    private static String yaml(String service) {
        return """
                cluster:
                  id: c1
                  service: %s
                  servers:
                    - {id: 1, peer: "127.0.0.1:9000", client: "127.0.0.1:7000", http: "127.0.0.1:8000"}
                server:
                  dataDir: data
                """.formatted(service);
    }

    /** A service that only has a name: configuration never builds one. */
    private record Named(String name) implements Service<byte[], byte[]> {
        @Override
        public StateMachine newStateMachine() {
            throw new AssertionError("not built by the configuration");
        }

        @Override
        public ServiceCodec<byte[], byte[]> codec() {
            throw new AssertionError("not used by the configuration");
        }
    }
}
