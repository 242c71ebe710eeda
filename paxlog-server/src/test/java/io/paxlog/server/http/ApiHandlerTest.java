package io.paxlog.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dispatch by path to a provider the server does not know, as a user's jar would bring one: the running
 * service's routes answer, another service's answer wrong_service, and a route that throws is answered
 * rather than dropping the connection; pipelined requests run and are answered in order; other HTTP
 * versions get 505; a bad lock body is refused in plain words. No cluster: these routes never reach one.
 */
class ApiHandlerTest {

    private final Forwarder forwarder = new Forwarder(Map.of(1, new InetSocketAddress("127.0.0.1", 1)), "test", "kv", 64,
            () -> 0);

    @AfterEach
    void close() {
        forwarder.close();
    }

    @Test
    void aUsersRoutesAnswerTheirPathsOnlyWhenTheClusterRunsTheirService() throws Exception {
        EmbeddedChannel channel = channel("queue", List.of(new Echo("queue", "/v1/queue"), new Echo("kv", "/v1/kv")));

        FullHttpResponse mine = send(channel, "GET", "/v1/queue/jobs/7");
        assertThat(mine.status().code()).isEqualTo(200);
        assertThat(mine.content().toString(StandardCharsets.UTF_8)).isEqualTo("queue GET /v1/queue/jobs/7");

        FullHttpResponse theirs = send(channel, "GET", "/v1/kv/x");
        assertThat(theirs.status().code()).isEqualTo(404);
        JsonNode body = HttpReply.JSON.readTree(theirs.content().toString(StandardCharsets.UTF_8));
        assertThat(body.get("error").asText()).isEqualTo("wrong_service");
        assertThat(body.get("message").asText()).isEqualTo("this cluster runs the queue service; /v1/kv/x needs service: kv");

        FullHttpResponse nowhere = send(channel, "GET", "/v1/queues");
        assertThat(nowhere.status().code()).isEqualTo(404);
        assertThat(nowhere.content().toString(StandardCharsets.UTF_8)).contains("not_found", "/v1/queue/...");
    }

    @Test
    void aRouteThatThrowsIsAnsweredAndTheConnectionServesTheNextRequest() {
        EmbeddedChannel channel = channel("queue", List.of(new Echo("queue", "/v1/queue")));
        FullHttpResponse bad = send(channel, "POST", "/v1/queue/bad-argument");
        assertThat(bad.status().code()).isEqualTo(400);
        FullHttpResponse bug = send(channel, "POST", "/v1/queue/bug");
        assertThat(bug.status().code()).isEqualTo(500);
        assertThat(bug.content().toString(StandardCharsets.UTF_8)).contains("internal", "a bug in a route");
        assertThat(channel.isOpen()).isTrue();
        assertThat(send(channel, "GET", "/v1/queue/after").status().code()).isEqualTo(200);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndAClosingOneWaitsForTheOnesBeforeIt() {
        Echo echo = new Echo("queue", "/v1/queue");
        EmbeddedChannel channel = channel("queue", List.of(echo));
        // Both arrive before the first is answered, as when a client pipelines them in one packet.
        channel.writeInbound(request("PUT", "/v1/queue/slow", ""));
        DefaultFullHttpRequest last = request("GET", "/v1/queue/fast", "");
        last.headers().set("Connection", "close");
        channel.writeInbound(last);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("nothing before the first request's answer").isNull();
        assertThat(echo.slow).as("the second waits for the first, not only its answer").hasSize(1);

        echo.slow.get(0).complete(HttpReply.bytes(200, "slow done".getBytes(StandardCharsets.UTF_8), "text/plain"));
        channel.runPendingTasks();
        FullHttpResponse first = channel.readOutbound();
        FullHttpResponse second = channel.readOutbound();
        assertThat(first.content().toString(StandardCharsets.UTF_8)).isEqualTo("slow done");
        assertThat(second.content().toString(StandardCharsets.UTF_8)).isEqualTo("queue GET /v1/queue/fast");
        assertThat(second.headers().get("Connection")).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestAfterOneThatClosesTheConnectionIsNotAnswered() {
        EmbeddedChannel channel = channel("queue", List.of(new Echo("queue", "/v1/queue")));
        DefaultFullHttpRequest closing = request("GET", "/v1/queue/a", "");
        closing.headers().set("Connection", "close");
        channel.writeInbound(closing, request("GET", "/v1/queue/b", ""));
        channel.runPendingTasks();
        FullHttpResponse only = channel.readOutbound();
        assertThat(only.content().toString(StandardCharsets.UTF_8)).isEqualTo("queue GET /v1/queue/a");
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void anHttpVersionOtherThanOneIsRefusedWith505() {
        EmbeddedChannel channel = channel("queue", List.of(new Echo("queue", "/v1/queue")));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.valueOf("HTTP/9.9"), HttpMethod.GET, "/v1/queue/a",
                Unpooled.EMPTY_BUFFER));
        FullHttpResponse refused = channel.readOutbound();
        assertThat(refused.status().code()).isEqualTo(505);
        assertThat(refused.content().toString(StandardCharsets.UTF_8)).contains("http_version_not_supported", "HTTP/9.9");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aLockBodyThatIsNotJsonOrHasUnknownFieldsIsRefusedInPlainWords() throws Exception {
        EmbeddedChannel channel = channel("lock", List.of(new LockRoutes()));
        FullHttpResponse broken = send(channel, request("POST", "/v1/locks/db", "{owner: alice"));
        assertThat(broken.status().code()).isEqualTo(400);
        JsonNode body = HttpReply.JSON.readTree(broken.content().toString(StandardCharsets.UTF_8));
        assertThat(body.get("error").asText()).isEqualTo("bad_json");
        assertThat(body.get("message").asText()).startsWith("the body is not JSON (line 1, column ")
                .endsWith("it must be {\"owner\": \"...\", \"ttlMs\": N}")
                .doesNotContain("jackson", "Source", "Unexpected character");

        FullHttpResponse unknown = send(channel, request("POST", "/v1/locks/db",
                "{\"owner\": \"alice\", \"ttlMs\": 1000, \"ttl\": 5}"));
        assertThat(unknown.status().code()).isEqualTo(400);
        assertThat(unknown.content().toString(StandardCharsets.UTF_8)).contains("bad_json", "unknown field \\\"ttl\\\"");
        // A misspelt ttlMs is named as the unknown field it is, not reported as ttlMs missing.
        FullHttpResponse misspelt = send(channel, request("POST", "/v1/locks/db", "{\"owner\": \"alice\", \"ttl\": 1000}"));
        assertThat(misspelt.status().code()).isEqualTo(400);
        assertThat(misspelt.content().toString(StandardCharsets.UTF_8)).contains("unknown field \\\"ttl\\\"");
        FullHttpResponse missing = send(channel, request("POST", "/v1/locks/db", "{\"owner\": \"alice\"}"));
        assertThat(missing.content().toString(StandardCharsets.UTF_8)).contains("\\\"ttlMs\\\" must be a whole number");
        assertThat(channel.isOpen()).isTrue();
    }

    private static DefaultFullHttpRequest request(String method, String uri, String body) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static FullHttpResponse send(EmbeddedChannel channel, DefaultFullHttpRequest request) {
        channel.writeInbound(request);
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as(request.method() + " " + request.uri() + " is answered").isNotNull();
        return response;
    }

    private EmbeddedChannel channel(String service, List<ServiceRoutes> routes) {
        HttpApi.Settings settings = new HttpApi.Settings(1, "test", service, new InetSocketAddress("127.0.0.1", 0),
                Map.of(1, new InetSocketAddress("127.0.0.1", 1)), 1 << 20, 8, 1024);
        return new EmbeddedChannel(new ApiHandler(settings, forwarder, RouteTable.of(routes),
                new StatusRoute(1, "test", List.of(1), () -> {
                    throw new AssertionError("no status here");
                }, id -> false), new ServerMetrics()));
    }

    private static FullHttpResponse send(EmbeddedChannel channel, String method, String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                Unpooled.EMPTY_BUFFER));
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as(method + " " + uri + " is answered").isNotNull();
        return response;
    }

    /** Answers with its service and the request; "bad-argument" and "bug" fail as a route might. */
    private record Echo(String service, String prefix, List<CompletableFuture<HttpReply>> slow) implements ServiceRoutes {
        Echo(String service, String prefix) {
            this(service, prefix, new java.util.concurrent.CopyOnWriteArrayList<>());
        }

        @Override
        public List<String> prefixes() {
            return List.of(prefix);
        }

        @Override
        public CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder) {
            if (request.path().endsWith("/slow")) { // answered when the test completes it
                CompletableFuture<HttpReply> later = new CompletableFuture<>();
                slow.add(later);
                return later;
            }
            if (request.path().endsWith("/bad-argument")) {
                throw new IllegalArgumentException("not a job");
            }
            if (request.path().endsWith("/bug")) {
                throw new IllegalStateException("a bug in a route");
            }
            return CompletableFuture.completedFuture(HttpReply.bytes(200,
                    (service + " " + request.method() + " " + request.path()).getBytes(StandardCharsets.UTF_8),
                    "text/plain"));
        }
    }
}
