package io.paxlog.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

    @Test
    void aPlainServerListNumbersServersFromOneInOrder() {
        assertThat(ClientConfig.parseServers("127.0.0.1:7081, 127.0.0.1:7082,[::1]:7083"))
                .containsExactly(
                        java.util.Map.entry(1, new InetSocketAddress("127.0.0.1", 7081)),
                        java.util.Map.entry(2, new InetSocketAddress("127.0.0.1", 7082)),
                        java.util.Map.entry(3, new InetSocketAddress("::1", 7083)));
    }

    @Test
    void explicitIdsAreKeptAsTheClusterFileNamesThem() {
        assertThat(ClientConfig.parseServers("3=127.0.0.1:7083,1=127.0.0.1:7081"))
                .containsExactly(
                        java.util.Map.entry(3, new InetSocketAddress("127.0.0.1", 7083)),
                        java.util.Map.entry(1, new InetSocketAddress("127.0.0.1", 7081)));
    }

    @Test
    void malformedEntriesAreNamed() {
        assertThatThrownBy(() -> ClientConfig.parseServers("127.0.0.1")).hasMessageContaining("'127.0.0.1'");
        assertThatThrownBy(() -> ClientConfig.parseServers("127.0.0.1:70000")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> ClientConfig.parseServers("x=127.0.0.1:1")).hasMessageContaining("bad server id");
        assertThatThrownBy(() -> ClientConfig.parseServers("1=127.0.0.1:1,1=127.0.0.1:2")).hasMessageContaining("twice");
    }

    @Test
    void buildListsEveryMistakeInOneMessage() {
        assertThatThrownBy(() -> PaxlogClient.builder()
                .servers(List.of())
                .clientId(-1)
                .requestTimeout(Duration.ZERO)
                .maxOutstanding(0)
                .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one server")
                .hasMessageContaining("cluster id")
                .hasMessageContaining("client id must be >= 1")
                .hasMessageContaining("requestTimeout")
                .hasMessageContaining("maxOutstanding")
                .hasMessageContaining("retryBackoffMin");
    }

    @Test
    void theDefaultClientIdIsRandomAndPositive() {
        try (PaxlogClient a = PaxlogClient.builder().servers("127.0.0.1:7081").clusterId("demo").build();
                PaxlogClient b = PaxlogClient.builder().servers("127.0.0.1:7081").clusterId("demo").build()) {
            assertThat(a.clientId()).isPositive().isNotEqualTo(b.clientId());
        }
    }
}
