package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A cluster of server processes (see {@link ServerProcesses}) running {@code service}, driven through
 * each server's HTTP API with the JDK's HTTP client. Public so the CLI's tests can start one too.
 */
public final class HttpCluster implements AutoCloseable {

    public static final Duration BOUND = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    private final ServerProcesses processes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Writes the configuration (fresh loopback ports, {@code extraSettings} appended) and starts every server. */
    public HttpCluster(Path dir, int servers, String service, String extraSettings) throws IOException {
        processes = new ServerProcesses(dir, FreePorts.clusterYaml(servers, "server-{id}", extraSettings)
                .replace("  service: journal\n", "  service: " + service + "\n"));
        processes.startAll();
    }

    ServerProcesses processes() {
        return processes;
    }

    public String clusterId() {
        return processes.config().cluster().id();
    }

    public InetSocketAddress httpAddress(int id) {
        return processes.config().cluster().server(id).http().socketAddress();
    }

    public String baseUri(int id) {
        InetSocketAddress address = httpAddress(id);
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    /** {@code host:port,host:port} of every server's HTTP address, in id order. */
    public String httpServers() {
        StringBuilder list = new StringBuilder();
        for (int id : processes.config().cluster().serverIds()) {
            list.append(list.length() == 0 ? "" : ",").append(httpAddress(id).getHostString()).append(':')
                    .append(httpAddress(id).getPort());
        }
        return list.toString();
    }

    public HttpResponse<byte[]> send(int server, String method, String pathAndQuery, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri(server) + pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " on server " + server + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public HttpResponse<byte[]> send(int server, String method, String pathAndQuery, String body, String... headers) {
        return send(server, method, pathAndQuery, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    public static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + response.statusCode() + "): " + text(response), e);
        }
    }

    /** This server's {@code /v1/status}, or null while it does not answer. */
    public JsonNode status(int server) {
        try {
            HttpResponse<byte[]> response = send(server, "GET", "/v1/status", (byte[]) null);
            return response.statusCode() == 200 ? json(response) : null;
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Waits until one server leads and every other running one names it, then returns it. Polls the
     * status pages only.
     */
    public int awaitLeader(int... running) {
        int[] leader = {0};
        int[] ids = running.length > 0 ? running
                : processes.config().cluster().serverIds().stream().mapToInt(Integer::intValue).toArray();
        Await.until(BOUND, "a leader that every running server names", () -> {
            int found = 0;
            for (int id : ids) {
                JsonNode status = status(id);
                if (status == null) {
                    return false;
                }
                if (status.path("role").asText().equals("leader")) {
                    found = id;
                }
            }
            if (found == 0) {
                return false;
            }
            for (int id : ids) {
                JsonNode status = status(id);
                if (status == null || status.path("leader").asInt() != found) {
                    return false;
                }
            }
            leader[0] = found;
            return true;
        }, processes::describeAll);
        assertThat(leader[0]).isPositive();
        return leader[0];
    }

    public void kill9(int id) throws InterruptedException {
        processes.kill9(id);
    }

    public String describeAll() {
        return processes.describeAll();
    }

    @Override
    public void close() throws InterruptedException {
        processes.close();
    }
}
