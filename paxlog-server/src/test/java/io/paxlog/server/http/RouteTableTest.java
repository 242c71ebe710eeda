package io.paxlog.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Which provider owns a path: found on the class path, by prefix, never two for one path. */
class RouteTableTest {

    @Test
    void theKvAndLockRoutesAreFoundOnTheClassPathAndOwnTheirPrefixesOnly() {
        RouteTable table = RouteTable.onClassPath();
        assertThat(table.owner("/v1/kv")).isInstanceOf(KvRoutes.class);
        assertThat(table.owner("/v1/kv/a%2Fb")).isInstanceOf(KvRoutes.class);
        assertThat(table.owner("/v1/kvx")).isNull();
        assertThat(table.owner("/v1/locks/printer")).isInstanceOf(LockRoutes.class);
        assertThat(table.owner("/v1/lock")).isNull();
        assertThat(table.owner("/v1/service/command")).isNull();
        assertThat(table.prefixesOf("kv")).containsExactly("/v1/kv");
        assertThat(table.prefixesOf("journal")).isEmpty();
    }

    @Test
    void aPrefixTwoProvidersWouldShareIsRefusedNamingBoth() {
        assertThatThrownBy(() -> RouteTable.of(List.of(new Fixed("a", "/v1/things"), new Fixed("b", "/v1/things/x"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(service b) claims /v1/things/x, which overlaps /v1/things of")
                .hasMessageContaining("(service a)");
        assertThat(RouteTable.of(List.of(new Fixed("a", "/v1/things"), new Fixed("b", "/v1/thingsx")))
                .owner("/v1/thingsx/1").service()).isEqualTo("b");
    }

    @Test
    void theServersOwnPathsAndMalformedPrefixesCannotBeClaimed() {
        assertThatThrownBy(() -> RouteTable.of(List.of(new Fixed("a", "/v1/service/mine"))))
                .hasMessageContaining("overlaps the server's own /v1/service");
        assertThatThrownBy(() -> RouteTable.of(List.of(new Fixed("a", "/metrics"))))
                .hasMessageContaining("overlaps the server's own /metrics");
        assertThatThrownBy(() -> RouteTable.of(List.of(new Fixed("a", "/v1/x/")))).hasMessageContaining("does not end with one");
        assertThatThrownBy(() -> RouteTable.of(List.of(new Fixed("a", "v1/x")))).hasMessageContaining("starts with /");
    }

    private record Fixed(String service, String prefix) implements ServiceRoutes {
        @Override
        public List<String> prefixes() {
            return List.of(prefix);
        }

        @Override
        public CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder) {
            throw new AssertionError("routing only");
        }
    }
}
