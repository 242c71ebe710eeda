package io.paxlog.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import io.paxlog.server.EmbeddedCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter in an embedded cluster of three, from the outside: pipelined adds through the Java client,
 * the leader stopped, adds through another server's generic HTTP endpoint (one of them retried with an
 * Idempotency-Key), the old leader back, and every add counted exactly once.
 */
class EmbeddedCounterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EmbeddedCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final CounterCodec codec = CounterCodec.INSTANCE;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAddCountsOnceAcrossALeaderStopAndRestart() throws Exception {
        cluster = EmbeddedCluster.builder().servers(3).service(new CounterService()).dataDir(dir).start();
        PaxlogClient client = cluster.client();
        List<CompletableFuture<Result>> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pending.add(client.submit(codec.encodeCommand(new CounterCommand.Add("jobs", 1))));
        }
        for (CompletableFuture<Result> result : pending) {
            assertThat(codec.decodeResult(result.get(BOUND.toSeconds(), TimeUnit.SECONDS).value()))
                    .isInstanceOf(CounterResult.Value.class);
        }

        int leader = cluster.awaitLeader(BOUND);
        cluster.stop(leader);
        int other = leader % 3 + 1;
        for (int i = 0; i < 9; i++) {
            assertThat(post(other, "/v1/service/command", "add jobs 1").body()).startsWith("jobs ");
        }
        HttpResponse<String> once = post(other, "/v1/service/command", "add jobs 1", "Idempotency-Key", "job-60");
        HttpResponse<String> retried = post(other, "/v1/service/command", "add jobs 1", "Idempotency-Key", "job-60");
        assertThat(once.statusCode()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo(once.body()).isEqualTo("jobs 60");

        cluster.restart(leader);
        HttpResponse<String> read = post(leader, "/v1/service/query", "get jobs");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("jobs 60");
        assertThat(codec.decodeResult(client.queryAndWait(codec.encodeCommand(new CounterCommand.Get("jobs"))).value()))
                .isEqualTo(new CounterResult.Value("jobs", 60));
        assertThat(post(other, "/v1/service/command", "add jobs lots").body()).startsWith("rejected: not a counter command");
        assertThat(cluster.failures()).isEmpty();
    }

    private HttpResponse<String> post(int server, String path, String body, String... headers) throws Exception {
        InetSocketAddress address = cluster.httpAddresses().get(server);
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://" + address.getHostString() + ":" + address.getPort() + path))
                .timeout(BOUND).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
