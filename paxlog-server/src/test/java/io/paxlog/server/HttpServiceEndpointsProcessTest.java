package io.paxlog.server;

import static io.paxlog.server.HttpCluster.json;
import static io.paxlog.server.HttpCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.journal.JournalMachine;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generic endpoints every service answers, against three server processes running the journal, a
 * service with no HTTP routes of its own: raw commands through a follower, an Idempotency-Key retry that
 * is applied once and answered with the same bytes and slot, read-index queries, and the paths that do
 * not belong to the journal.
 */
class HttpServiceEndpointsProcessTest {

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
    void aServiceWithoutRoutesIsDrivenByRawCommandsAndQueries() throws Exception {
        cluster = new HttpCluster(dir, 3, "journal", "");
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;

        HttpResponse<byte[]> first = command(follower, append("first"));
        assertThat(first.statusCode()).as(text(first)).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).contains("application/octet-stream");
        assertThat(first.headers().firstValue("Paxlog-Service")).contains("journal");
        JournalMachine.Appended appended = JournalMachine.decodeAppended(first.body());
        assertThat(appended.index()).isEqualTo(1);
        assertThat(first.headers().firstValue("Paxlog-Slot")).contains(Long.toString(appended.slot()));

        // The same Idempotency-Key: applied once, and every retry (on any server) gets the same answer.
        HttpResponse<byte[]> once = command(follower, append("second"), "Idempotency-Key", "append-second");
        assertThat(once.statusCode()).as(text(once)).isEqualTo(200);
        HttpResponse<byte[]> retry = command(leader, append("second"), "Idempotency-Key", "append-second");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(once.body());
        assertThat(retry.headers().firstValue("Paxlog-Slot")).isEqualTo(once.headers().firstValue("Paxlog-Slot"));
        assertThat(JournalMachine.decodeAppended(once.body()).index()).isEqualTo(2);

        HttpResponse<byte[]> read = cluster.send(follower, "POST", "/v1/service/query", JournalMachine.readCommand(1, 10));
        assertThat(read.statusCode()).as(text(read)).isEqualTo(200);
        JournalMachine.Page page = JournalMachine.decodePage(read.body());
        assertThat(page.size()).as("the retry was not appended again").isEqualTo(2);
        assertThat(page.entries()).extracting(entry -> new String(entry.data(), StandardCharsets.UTF_8))
                .containsExactly("first", "second");

        // A query the machine cannot answer from its state (an append must go through the log): 400.
        HttpResponse<byte[]> refused = cluster.send(follower, "POST", "/v1/service/query", append("not a read"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).get("error").asText()).isEqualTo("rejected");

        HttpResponse<byte[]> get = cluster.send(follower, "GET", "/v1/service/command", (byte[]) null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(cluster.send(follower, "POST", "/v1/service/other", new byte[1]).statusCode()).isEqualTo(404);

        // Another service's routes answer wrong_service, naming the service they need.
        HttpResponse<byte[]> kv = cluster.send(follower, "GET", "/v1/kv/x", (byte[]) null);
        assertThat(kv.statusCode()).isEqualTo(404);
        assertThat(json(kv).get("error").asText()).isEqualTo("wrong_service");
        assertThat(json(kv).get("message").asText()).contains("runs the journal service", "needs service: kv");
        HttpResponse<byte[]> nowhere = cluster.send(follower, "GET", "/nowhere", (byte[]) null);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(json(nowhere).get("message").asText()).contains("POST /v1/service/command");
    }

    private HttpResponse<byte[]> command(int server, byte[] payload, String... headers) {
        return cluster.send(server, "POST", "/v1/service/command", payload, headers);
    }

    private static byte[] append(String text) {
        return JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8));
    }
}
