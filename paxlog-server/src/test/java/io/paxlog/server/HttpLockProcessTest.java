package io.paxlog.server;

import static io.paxlog.server.HttpCluster.json;
import static io.paxlog.server.HttpCluster.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock endpoints of the HTTP API against three real server processes running the lock service,
 * through a follower: grant, conflict (409 naming the holder), renewal, show, release, Idempotency-Key
 * replay, bad requests, expiry of an unrenewed lease, and fencing tokens that keep growing across a
 * leader killed with SIGKILL.
 */
class HttpLockProcessTest {

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
    void locksAreGrantedRefusedRenewedShownAndReleasedThroughAFollowerAndTokensGrowAcrossALeaderKill() throws Exception {
        cluster = new HttpCluster(dir, 3, "lock", "");
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;

        HttpResponse<byte[]> granted = acquire(follower, "printer", "alice", 30_000);
        assertThat(granted.statusCode()).as(text(granted)).isEqualTo(200);
        long token = json(granted).get("token").asLong();
        assertThat(token).isPositive();
        assertThat(json(granted).get("expiresInMs").asLong()).isEqualTo(30_000);

        HttpResponse<byte[]> conflict = acquire(follower, "printer", "bob", 30_000);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).get("holder").asText()).isEqualTo("alice");
        assertThat(json(conflict).get("token").asLong()).isEqualTo(token);
        assertThat(json(conflict).get("error").asText()).isEqualTo("held");

        HttpResponse<byte[]> renewed = acquire(follower, "printer", "alice", 20_000);
        assertThat(renewed.statusCode()).isEqualTo(200);
        assertThat(json(renewed).get("token").asLong()).as("a renewal keeps the token").isEqualTo(token);
        assertThat(json(renewed).get("renewed").asBoolean()).isTrue();

        HttpResponse<byte[]> shown = cluster.send(follower, "GET", "/v1/locks/printer", (byte[]) null);
        assertThat(shown.statusCode()).isEqualTo(200);
        JsonNode lease = json(shown);
        assertThat(lease.get("holder").asText()).isEqualTo("alice");
        assertThat(lease.get("token").asLong()).isEqualTo(token);
        assertThat(lease.get("ttlMs").asLong()).isEqualTo(20_000);
        assertThat(lease.get("remainingMs").asLong()).as("the leader's remaining ttl").isBetween(1L, 20_000L);

        HttpResponse<byte[]> notHolder = cluster.send(follower, "DELETE", "/v1/locks/printer?owner=bob", (byte[]) null);
        assertThat(notHolder.statusCode()).isEqualTo(409);
        assertThat(json(notHolder).get("holder").asText()).isEqualTo("alice");
        HttpResponse<byte[]> released = cluster.send(follower, "DELETE", "/v1/locks/printer?owner=alice", (byte[]) null);
        assertThat(released.statusCode()).as(text(released)).isEqualTo(200);
        assertThat(json(released).get("token").asLong()).isEqualTo(token);
        assertThat(cluster.send(follower, "GET", "/v1/locks/printer", (byte[]) null).statusCode()).isEqualTo(404);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/printer?owner=alice", (byte[]) null).statusCode())
                .isEqualTo(409);

        // Idempotency-Key: the retried acquire answers the saved grant and does not take the lock again.
        HttpResponse<byte[]> once = cluster.send(follower, "POST", "/v1/locks/disk", "{\"owner\":\"carol\",\"ttlMs\":5000}",
                "Idempotency-Key", "acquire-disk-1");
        assertThat(once.statusCode()).isEqualTo(200);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/disk?owner=carol", (byte[]) null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> replay = cluster.send(leader, "POST", "/v1/locks/disk", "{\"owner\":\"carol\",\"ttlMs\":5000}",
                "Idempotency-Key", "acquire-disk-1");
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(json(replay).get("token").asLong()).isEqualTo(json(once).get("token").asLong());
        assertThat(cluster.send(follower, "GET", "/v1/locks/disk", (byte[]) null).statusCode())
                .as("the replay did not take the lock again").isEqualTo(404);

        // Bad requests: 4xx.
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{not json").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{\"owner\":\"a\"}").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{\"owner\":\"a\",\"ttlMs\":0}").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/x", (byte[]) null).statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "PUT", "/v1/locks/x", "{}").statusCode()).isEqualTo(405);
        assertThat(cluster.send(follower, "GET", "/v1/kv/x", (byte[]) null).statusCode()).isEqualTo(404);

        // A lease that is not renewed expires through the log; the next grant has a larger token.
        long shortToken = json(acquire(follower, "short", "frank", 300)).get("token").asLong();
        Await.until(HttpCluster.BOUND, "the unrenewed lease expires",
                () -> cluster.send(follower, "GET", "/v1/locks/short", (byte[]) null).statusCode() == 404);
        HttpResponse<byte[]> after = acquire(follower, "short", "grace", 60_000);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(json(after).get("token").asLong()).isGreaterThan(shortToken);

        // Fencing tokens grow across a leader change.
        long before = json(acquire(follower, "queue", "dave", 60_000)).get("token").asLong();
        cluster.kill9(leader);
        int[] survivors = Arrays.stream(new int[] {1, 2, 3}).filter(id -> id != leader).toArray();
        int newLeader = cluster.awaitLeader(survivors);
        assertThat(newLeader).isNotEqualTo(leader);
        HttpResponse<byte[]> still = acquire(follower, "queue", "erin", 60_000);
        assertThat(still.statusCode()).as(text(still)).isEqualTo(409);
        assertThat(json(still).get("token").asLong()).isEqualTo(before);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/queue?owner=dave", (byte[]) null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> next = acquire(follower, "queue", "erin", 60_000);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(json(next).get("token").asLong()).isGreaterThan(before);
    }

    private HttpResponse<byte[]> acquire(int server, String name, String owner, long ttlMs) {
        return cluster.send(server, "POST", "/v1/locks/" + name, "{\"owner\":\"" + owner + "\",\"ttlMs\":" + ttlMs + "}");
    }
}
