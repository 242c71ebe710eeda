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
 * rather than dropping the connection. No cluster: these routes never reach one.
 */
class ApiHandlerTest {

    private final Forwarder forwarder = new Forwarder(Map.of(1, new InetSocketAddress("127.0.0.1", 1)), "test");

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

    private EmbeddedChannel channel(String service, List<ServiceRoutes> routes) {
        HttpApi.Settings settings = new HttpApi.Settings(1, "test", service, new InetSocketAddress("127.0.0.1", 0),
                Map.of(1, new InetSocketAddress("127.0.0.1", 1)), 1 << 20, 8);
        return new EmbeddedChannel(new ApiHandler(settings, forwarder, RouteTable.of(routes),
                new StatusRoute(1, List.of(1), () -> {
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
    private record Echo(String service, String prefix) implements ServiceRoutes {
        @Override
        public List<String> prefixes() {
            return List.of(prefix);
        }

        @Override
        public CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder) {
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
