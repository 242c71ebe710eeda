package io.paxlog.server;

import static io.paxlog.server.HttpCluster.json;
import static io.paxlog.server.HttpCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of issue 5 against five real server processes running the key-value service, from the
 * outside only: every request goes to a follower's HTTP address (so it is forwarded to the leader), and
 * every status code of the kv endpoints, the status page, the metrics, the limits and the failure modes
 * (majority down: 503) are checked. Bounded waits; every process is killed after the test.
 */
class HttpKvProcessTest {

    /** Prometheus text: a sample line is a name, optional labels, and a number. */
    private static final Pattern SAMPLE = Pattern.compile(
            "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*})? (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|\\+Inf|-Inf)$");

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
    void aFollowerServesEveryKvEndpointByForwardingToTheLeaderAndAnswers503OnceAMajorityIsDown() throws Exception {
        cluster = new HttpCluster(dir, 5, "kv", "  limits: {httpBodyBytesMax: 2000000, httpConnectionsPerAddressMax: 8}\n");
        int leader = cluster.awaitLeader();
        int follower = leader % 5 + 1;

        // PUT, GET with ETag, 404.
        HttpResponse<byte[]> put = cluster.send(follower, "PUT", "/v1/kv/greeting", "hello");
        assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
        long v1 = json(put).get("version").asLong();
        assertThat(v1).isPositive();
        HttpResponse<byte[]> get = cluster.send(follower, "GET", "/v1/kv/greeting", (byte[]) null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(text(get)).isEqualTo("hello");
        assertThat(get.headers().firstValue("ETag")).contains("\"" + v1 + "\"");
        HttpResponse<byte[]> missing = cluster.send(follower, "GET", "/v1/kv/nothing-here", (byte[]) null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("error").asText()).isEqualTo("not_found");
        assertThat(json(missing).has("message")).isTrue();

        // Compare-and-set: the current version wins, a stale one gets 412 with the current version.
        HttpResponse<byte[]> cas = cluster.send(follower, "PUT", "/v1/kv/greeting", "hello again", "If-Match", "\"" + v1 + "\"");
        assertThat(cas.statusCode()).as(text(cas)).isEqualTo(200);
        long v2 = json(cas).get("version").asLong();
        assertThat(v2).isGreaterThan(v1);
        HttpResponse<byte[]> stale = cluster.send(follower, "PUT", "/v1/kv/greeting", "lost", "If-Match", "\"" + v1 + "\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(json(stale).get("error").asText()).isEqualTo("precondition_failed");
        assertThat(json(stale).get("currentVersion").asLong()).isEqualTo(v2);
        assertThat(text(cluster.send(leader, "GET", "/v1/kv/greeting", (byte[]) null))).isEqualTo("hello again");

        // Create only if absent.
        assertThat(cluster.send(follower, "PUT", "/v1/kv/new", "first", "If-None-Match", "*").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> exists = cluster.send(follower, "PUT", "/v1/kv/new", "second", "If-None-Match", "*");
        assertThat(exists.statusCode()).isEqualTo(412);
        assertThat(text(cluster.send(follower, "GET", "/v1/kv/new", (byte[]) null))).isEqualTo("first");

        // DELETE: If-Match stale 412, then 200, then 404.
        assertThat(cluster.send(follower, "DELETE", "/v1/kv/greeting", (byte[]) null, "If-Match", "\"" + v1 + "\"")
                .statusCode()).isEqualTo(412);
        HttpResponse<byte[]> deleted = cluster.send(follower, "DELETE", "/v1/kv/greeting", (byte[]) null,
                "If-Match", "\"" + v2 + "\"");
        assertThat(deleted.statusCode()).as(text(deleted)).isEqualTo(200);
        assertThat(json(deleted).get("previousVersion").asLong()).isEqualTo(v2);
        assertThat(cluster.send(follower, "DELETE", "/v1/kv/greeting", (byte[]) null).statusCode()).isEqualTo(404);
        assertThat(cluster.send(follower, "GET", "/v1/kv/greeting", (byte[]) null).statusCode()).isEqualTo(404);

        // List by prefix, sorted, limited; a key that is not UTF-8 comes back in base64 with a flag.
        for (String key : List.of("fruit/cherry", "fruit/apple", "fruit/banana", "veg/kale")) {
            assertThat(cluster.send(follower, "PUT", "/v1/kv/" + key.replace("/", "%2F"), key.toUpperCase())
                    .statusCode()).isEqualTo(200);
        }
        assertThat(cluster.send(follower, "PUT", "/v1/kv/fruit%2F%FF", new byte[] {(byte) 0xfe}).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> list = cluster.send(follower, "GET", "/v1/kv?prefix=fruit%2F&limit=3", (byte[]) null);
        assertThat(list.statusCode()).as(text(list)).isEqualTo(200);
        JsonNode entries = json(list);
        assertThat(entries.isArray()).isTrue();
        List<String> keys = new ArrayList<>();
        entries.forEach(entry -> keys.add(entry.get("key").asText()));
        assertThat(keys).containsExactly("fruit/apple", "fruit/banana", "fruit/cherry");
        assertThat(entries.get(0).get("value").asText()).isEqualTo("FRUIT/APPLE");
        assertThat(entries.get(0).get("version").asLong()).isPositive();
        assertThat(list.headers().firstValue("Paxlog-More")).contains("true");
        JsonNode rest = json(cluster.send(follower, "GET", "/v1/kv?prefix=fruit%2F&after="
                + list.headers().firstValue("Paxlog-Next-After").orElseThrow(), (byte[]) null));
        assertThat(rest).hasSize(1);
        assertThat(rest.get(0).get("keyBase64").asBoolean()).isTrue();
        assertThat(rest.get(0).get("key").asText()).isEqualTo("ZnJ1aXQv/w==");
        assertThat(rest.get(0).get("valueBase64").asBoolean()).isTrue();

        // Idempotency-Key: a retry returns the saved response and does not apply again.
        HttpResponse<byte[]> once = cluster.send(follower, "PUT", "/v1/kv/counter", "from-key-k1", "Idempotency-Key", "k1");
        assertThat(once.statusCode()).isEqualTo(200);
        long onceVersion = json(once).get("version").asLong();
        long later = json(cluster.send(follower, "PUT", "/v1/kv/counter", "overwritten")).get("version").asLong();
        HttpResponse<byte[]> retry = cluster.send(leader, "PUT", "/v1/kv/counter", "from-key-k1", "Idempotency-Key", "k1");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(json(retry).get("version").asLong()).as("the saved response").isEqualTo(onceVersion);
        HttpResponse<byte[]> now = cluster.send(follower, "GET", "/v1/kv/counter", (byte[]) null);
        assertThat(text(now)).as("the retry was not applied again").isEqualTo("overwritten");
        assertThat(now.headers().firstValue("ETag")).contains("\"" + later + "\"");
        HttpResponse<byte[]> otherKey = cluster.send(follower, "PUT", "/v1/kv/counter", "from-key-k2", "Idempotency-Key", "k2");
        assertThat(json(otherKey).get("version").asLong()).isGreaterThan(later);

        // Limits and bad requests: 4xx, and the server keeps serving.
        assertThat(cluster.send(follower, "PUT", "/v1/kv/" + "k".repeat(1025), "x").statusCode()).isEqualTo(413);
        assertThat(cluster.send(follower, "PUT", "/v1/kv/big", new byte[2_000_001]).statusCode()).isEqualTo(413);
        assertThat(cluster.send(follower, "PUT", "/v1/kv/big", new byte[(1 << 20) + 1]).statusCode()).isEqualTo(413);
        assertThat(cluster.send(follower, "PUT", "/v1/kv/x", "y", "If-Match", "yesterday").statusCode()).isEqualTo(400);
        assertThat(rawExchange(follower, "GET /v1/kv/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(cluster.send(follower, "GET", "/v1/kv?limit=-1", (byte[]) null).statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "POST", "/v1/kv/x", "y").statusCode()).isEqualTo(405);
        assertThat(cluster.send(follower, "GET", "/v1/locks/x", (byte[]) null).statusCode()).isEqualTo(404);
        assertThat(cluster.send(follower, "GET", "/nowhere", (byte[]) null).statusCode()).isEqualTo(404);
        assertThat(rawExchange(follower, "THIS IS NOT HTTP\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(rawExchange(follower, "GET /v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(cluster.send(follower, "GET", "/v1/kv/new", (byte[]) null).statusCode()).isEqualTo(200);

        // Connections per client address: the ninth open connection is answered 429.
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                open.add(new Socket(cluster.httpAddress(follower).getAddress(), cluster.httpAddress(follower).getPort()));
            }
            assertThat(rawExchange(follower, "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 429");
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
        Await.until(HttpCluster.BOUND, "the follower serves again once connections closed",
                () -> cluster.status(follower) != null);

        // Status: the follower's view and the leader's view of its peers.
        JsonNode followerStatus = cluster.status(follower);
        assertThat(followerStatus.get("serverId").asInt()).isEqualTo(follower);
        assertThat(followerStatus.get("role").asText()).isEqualTo("passive");
        assertThat(followerStatus.get("leader").asInt()).isEqualTo(leader);
        assertThat(followerStatus.get("epoch").get("round").asLong()).isPositive();
        for (String field : List.of("lastUsedSlot", "firstUnfinalizedSlot", "appliedSlot", "snapshotSlot")) {
            assertThat(followerStatus.has(field)).as(field).isTrue();
        }
        Await.until(HttpCluster.BOUND, "the leader reports every peer reachable and caught up", () -> {
            JsonNode status = cluster.status(leader);
            if (status == null || status.get("peers").size() != 4) {
                return false;
            }
            for (JsonNode peer : status.get("peers")) {
                if (!peer.get("reachable").asBoolean() || peer.get("lag").isNull() || peer.get("lag").asLong() > 0) {
                    return false;
                }
            }
            return status.get("appliedSlot").asLong() >= later && status.get("lastUsedSlot").asLong() >= later;
        }, () -> String.valueOf(cluster.status(leader)));

        // Reads are read-index queries: they do not write to the log. The leader's clock command (log
        // time for sessions, one a second) still takes slots meanwhile: allow those, and no more. Ten
        // logged reads would take ten slots besides.
        long usedBefore = cluster.status(leader).get("lastUsedSlot").asLong();
        long readsStarted = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(cluster.send(follower, "GET", "/v1/kv/counter", (byte[]) null).statusCode()).isEqualTo(200);
            assertThat(cluster.send(follower, "GET", "/v1/kv?prefix=fruit", (byte[]) null).statusCode()).isEqualTo(200);
        }
        long clockCommands = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - readsStarted) + 2;
        assertThat(cluster.status(leader).get("lastUsedSlot").asLong() - usedBefore).as("slots taken while reading")
                .isLessThanOrEqualTo(clockCommands);

        // Metrics: Prometheus text with the named metrics.
        HttpResponse<byte[]> metrics = cluster.send(leader, "GET", "/metrics", (byte[]) null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        List<String> samples = text(metrics).lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(samples).allSatisfy(line -> assertThat(line).matches(SAMPLE));
        Set<String> names = samples.stream().map(line -> line.split("[{ ]")[0]).collect(Collectors.toSet());
        assertThat(names).contains("paxlog_commands_applied_total", "paxlog_commit_latency_seconds_bucket",
                "paxlog_commit_latency_seconds_count", "paxlog_persist_batch_entries_bucket", "paxlog_elections_total",
                "paxlog_leaderships_total", "paxlog_epoch_round", "paxlog_leader", "paxlog_slot", "paxlog_peer_lag_slots",
                "paxlog_peer_reachable", "paxlog_queue_depth", "paxlog_wal_fsyncs_total", "paxlog_wal_group_commits_total",
                "paxlog_wal_fsync_latency_seconds_bucket");
        assertThat(value(samples, "paxlog_commands_applied_total")).isGreaterThanOrEqualTo(15);
        assertThat(value(samples, "paxlog_leader")).isEqualTo(1);
        assertThat(value(samples, "paxlog_slot{kind=\"applied\"}")).isGreaterThanOrEqualTo(later);
        assertThat(value(samples, "paxlog_wal_fsyncs_total")).isPositive();
        assertThat(value(samples, "paxlog_wal_fsync_latency_seconds_count")).isPositive();

        // A majority down: a write is either definitely not applied (503 unavailable, Retry-After) or its
        // outcome is unknown (504 outcome_unknown, no Retry-After: a proxy must not resend it); a read is
        // never "may have taken effect"; the survivors keep serving status.
        List<Integer> killed = new ArrayList<>();
        for (int id = 1; id <= 5 && killed.size() < 3; id++) {
            if (id != follower) {
                cluster.kill9(id);
                killed.add(id);
            }
        }
        long asked = System.nanoTime();
        HttpResponse<byte[]> down = cluster.send(follower, "PUT", "/v1/kv/after", "no majority");
        long tookMs = (System.nanoTime() - asked) / 1_000_000;
        assertThat(down.statusCode()).as(text(down)).isIn(503, 504);
        if (down.statusCode() == 503) {
            assertThat(json(down).get("error").asText()).isEqualTo("unavailable");
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
        } else {
            assertThat(json(down).get("error").asText()).isEqualTo("outcome_unknown");
            assertThat(json(down).get("message").asText()).contains("same Idempotency-Key");
            assertThat(down.headers().firstValue("Retry-After")).isEmpty();
        }
        assertThat(tookMs).as("ms until the answer").isLessThan(6000);
        HttpResponse<byte[]> read = cluster.send(follower, "GET", "/v1/kv/after", (byte[]) null);
        assertThat(read.statusCode()).as(text(read)).isIn(503, 504);
        assertThat(json(read).get("error").asText()).isIn("unavailable", "timeout");
        assertThat(json(read).get("message").asText()).doesNotContain("may or may not");
        assertThat(cluster.status(follower)).isNotNull();
    }

    private static double value(List<String> samples, String nameAndLabels) {
        return samples.stream().filter(line -> line.startsWith(nameAndLabels + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + nameAndLabels));
    }

    /** Sends raw bytes on a new connection and returns what comes back until the server closes it. */
    private String rawExchange(int server, String request) throws Exception {
        try (Socket socket = new Socket(cluster.httpAddress(server).getAddress(), cluster.httpAddress(server).getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
