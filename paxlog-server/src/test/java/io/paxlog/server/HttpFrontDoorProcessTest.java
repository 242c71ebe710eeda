package io.paxlog.server;

import static io.paxlog.server.HttpCluster.json;
import static io.paxlog.server.HttpCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door as a new user meets it (issue 11), against three real kv server processes with the
 * default limits, talking raw HTTP where a client library would hide what is on the wire: pipelined
 * requests answered in order with nothing lost to a later {@code Connection: close}, a full 1 MiB value
 * accepted, {@code Expect: 100-continue} over the body limit answered with the JSON 413, HTTP/9.9 refused
 * with 505, {@code If-Match: *}. Bounded waits (socket timeouts); every process is killed after the test.
 */
class HttpFrontDoorProcessTest {

    @TempDir
    Path dir;

    private HttpCluster cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theFrontDoorKeepsItsPromises() throws Exception {
        cluster = new HttpCluster(dir, 3, "kv", "");
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;

        // Pipelined in one write: a write, a read of it, and a status request that closes the connection.
        // Each is answered, in order, and the read sees the write.
        List<Response> answers = parse(exchange(follower, """
                PUT /v1/kv/piped HTTP/1.1\r
                Host: x\r
                Content-Length: 5\r
                \r
                helloGET /v1/kv/piped HTTP/1.1\r
                Host: x\r
                \r
                GET /v1/status HTTP/1.1\r
                Host: x\r
                Connection: close\r
                \r
                """));
        assertThat(answers).extracting(Response::status).containsExactly(200, 200, 200);
        assertThat(answers.get(0).body()).startsWith("{\"version\":");
        assertThat(answers.get(1).body()).isEqualTo("hello");
        assertThat(answers.get(2).body()).contains("\"serverId\":" + follower);

        // The documented value limit is what is enforced: 1 MiB fits (with its command's framing), one byte
        // more is 413 value_too_large, not 400 rejected.
        for (int size : List.of(1_048_564, 1_048_576)) {
            byte[] value = new byte[size];
            Arrays.fill(value, (byte) 'v');
            HttpResponse<byte[]> put = cluster.send(follower, "PUT", "/v1/kv/big" + size, value);
            assertThat(put.statusCode()).as(size + " bytes: " + text(put)).isEqualTo(200);
            assertThat(cluster.send(follower, "GET", "/v1/kv/big" + size, (byte[]) null).body()).isEqualTo(value);
        }
        HttpResponse<byte[]> over = cluster.send(follower, "PUT", "/v1/kv/over", new byte[1_048_577]);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(json(over).get("error").asText()).isEqualTo("value_too_large");

        // A 2 MiB body announced with Expect: 100-continue, as curl sends it: the JSON 413, before the body.
        try (Socket socket = socket(follower)) {
            socket.getOutputStream().write(("PUT /v1/kv/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            Response refused = readOne(socket.getInputStream());
            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.body()).contains("\"error\":\"body_too_large\"", "httpBodyBytesMax");
        }

        // An HTTP version this server does not speak.
        assertThat(new String(exchange(follower, "GET /v1/status HTTP/9.9\r\nHost: x\r\n\r\n"), StandardCharsets.ISO_8859_1))
                .startsWith("HTTP/1.1 505").contains("http_version_not_supported");

        // If-Match: * is "only if it exists".
        HttpResponse<byte[]> absent = cluster.send(follower, "PUT", "/v1/kv/maybe", "x", "If-Match", "*");
        assertThat(absent.statusCode()).as(text(absent)).isEqualTo(412);
        assertThat(json(absent).get("currentVersion").asLong()).isZero();
        assertThat(cluster.send(follower, "GET", "/v1/kv/maybe", (byte[]) null).statusCode()).isEqualTo(404);
        long first = json(cluster.send(follower, "PUT", "/v1/kv/maybe", "one")).get("version").asLong();
        HttpResponse<byte[]> replaced = cluster.send(follower, "PUT", "/v1/kv/maybe", "two", "If-Match", "*");
        assertThat(replaced.statusCode()).as(text(replaced)).isEqualTo(200);
        assertThat(json(replaced).get("version").asLong()).isGreaterThan(first);
        assertThat(text(cluster.send(follower, "GET", "/v1/kv/maybe", (byte[]) null))).isEqualTo("two");
        assertThat(cluster.send(follower, "DELETE", "/v1/kv/maybe", (byte[]) null, "If-Match", "*").statusCode())
                .isEqualTo(200);
        assertThat(cluster.send(follower, "DELETE", "/v1/kv/maybe", (byte[]) null, "If-Match", "*").statusCode())
                .isEqualTo(412);
    }

    private record Response(int status, String body) {}

    private Socket socket(int server) throws Exception {
        Socket socket = new Socket(cluster.httpAddress(server).getAddress(), cluster.httpAddress(server).getPort());
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** Sends {@code request} on a new connection and returns every byte until the server closes it. */
    private byte[] exchange(int server, String request) throws Exception {
        try (Socket socket = socket(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    /** The responses in {@code bytes}, each framed by its Content-Length. */
    private static List<Response> parse(byte[] bytes) throws Exception {
        List<Response> responses = new ArrayList<>();
        InputStream in = new java.io.ByteArrayInputStream(bytes);
        while (in.available() > 0) {
            responses.add(readOne(in));
        }
        return responses;
    }

    /** One response from {@code in}: status line, headers, a body of Content-Length bytes. */
    private static Response readOne(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int next = in.read();
            assertThat(next).as("the response head ends before the stream: " + head).isNotNegative();
            head.write(next);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        int length = 0;
        for (String line : lines) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return new Response(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }
}
