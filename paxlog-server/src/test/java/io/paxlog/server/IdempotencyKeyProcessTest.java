package io.paxlog.server;

import static io.paxlog.server.HttpCluster.json;
import static io.paxlog.server.HttpCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys of issue 11 against three real server processes running the kv service, through a
 * follower's HTTP port: a write whose answer was lost is answered, when retried with its key, by the
 * log's saved result (the first write's version), even after the key was overwritten since; the same
 * key with another body is 422 and applies nothing; two encodings of one path are one request; and the
 * servers keep serving. Bounded waits; every process is killed after the test.
 */
class IdempotencyKeyProcessTest {

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
    void aRetriedKeyAfterALostAnswerGetsTheFirstResultAndAnotherBodyUnderTheKeyIs422() throws Exception {
        cluster = new HttpCluster(dir, 3, "kv", "");
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;

        // The first attempt: written, and its connection closed before the answer came (a lost answer).
        String body = "first";
        try (Socket socket = new Socket()) {
            InetSocketAddress http = cluster.httpAddress(follower);
            socket.connect(http, 2_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /v1/kv/doc HTTP/1.1\r\nHost: x\r\nIdempotency-Key: key-1\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        long[] firstVersion = {0};
        Await.until(HttpCluster.BOUND, "the first write applied", () -> {
            HttpResponse<byte[]> read = cluster.send(follower, "GET", "/v1/kv/doc", (byte[]) null);
            if (read.statusCode() != 200) {
                return false;
            }
            firstVersion[0] = Long.parseLong(read.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
            return text(read).equals("first");
        }, () -> "");
        long overwritten = json(cluster.send(follower, "PUT", "/v1/kv/doc", "second")).get("version").asLong();
        assertThat(overwritten).isGreaterThan(firstVersion[0]);

        // The retry, at another server: the log's saved result, not a second write.
        HttpResponse<byte[]> retry = cluster.send(leader, "PUT", "/v1/kv/doc", body, "Idempotency-Key", "key-1");
        assertThat(retry.statusCode()).as(text(retry)).isEqualTo(200);
        assertThat(json(retry).get("version").asLong()).as("the first write's version").isEqualTo(firstVersion[0]);
        assertThat(text(cluster.send(follower, "GET", "/v1/kv/doc", (byte[]) null))).isEqualTo("second");

        // The same key with another body: not applied.
        HttpResponse<byte[]> reused = cluster.send(follower, "PUT", "/v1/kv/doc", "other", "Idempotency-Key", "key-1");
        assertThat(reused.statusCode()).as(text(reused)).isEqualTo(422);
        assertThat(json(reused).get("error").asText()).isEqualTo("idempotency_key_reused");
        assertThat(reused.headers().firstValue("Retry-After")).isEmpty();
        assertThat(text(cluster.send(follower, "GET", "/v1/kv/doc", (byte[]) null))).isEqualTo("second");

        // Two encodings of one path, one key: one request (fix 6).
        HttpResponse<byte[]> plain = cluster.send(follower, "PUT", "/v1/kv/ab", "v", "Idempotency-Key", "key-2");
        HttpResponse<byte[]> encoded = cluster.send(leader, "PUT", "/v1/kv/a%62", "v", "Idempotency-Key", "key-2");
        assertThat(encoded.statusCode()).as(text(encoded)).isEqualTo(200);
        assertThat(json(encoded).get("version").asLong()).isEqualTo(json(plain).get("version").asLong());
    }
}
