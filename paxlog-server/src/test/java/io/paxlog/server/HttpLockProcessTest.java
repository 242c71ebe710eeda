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
 * replays that answer the lease's state now (200 while it holds, 409 lease_lost once released or expired
 * and taken by another owner), bad requests, expiry of an unrenewed lease, and fencing tokens that keep
 * growing across a leader killed with SIGKILL.
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
        assertThat(json(granted).get("expiresInMs").asLong()).as("the leader's count, read after the grant")
                .isBetween(1L, 30_000L);
        assertThat(json(granted).get("ttlMs").asLong()).isEqualTo(30_000);

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

        // Idempotency-Key: a retried acquire is not applied again, and answers the lease's state now: while
        // the grant holds, 200 with the same token; once it was released, 409 lease_lost, not the old 200.
        String carol = "{\"owner\":\"carol\",\"ttlMs\":5000}";
        HttpResponse<byte[]> once = cluster.send(follower, "POST", "/v1/locks/disk", carol, "Idempotency-Key", "acquire-disk-1");
        assertThat(once.statusCode()).isEqualTo(200);
        long carolsToken = json(once).get("token").asLong();
        HttpResponse<byte[]> again = cluster.send(leader, "POST", "/v1/locks/disk", carol, "Idempotency-Key", "acquire-disk-1");
        assertThat(again.statusCode()).as(text(again)).isEqualTo(200);
        assertThat(json(again).get("token").asLong()).isEqualTo(carolsToken);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/disk?owner=carol", (byte[]) null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> replay = cluster.send(leader, "POST", "/v1/locks/disk", carol, "Idempotency-Key", "acquire-disk-1");
        assertThat(replay.statusCode()).as(text(replay)).isEqualTo(409);
        assertThat(json(replay).get("error").asText()).isEqualTo("lease_lost");
        assertThat(json(replay).get("lostToken").asLong()).isEqualTo(carolsToken);
        assertThat(json(replay).get("holder").isNull()).as("nobody holds it").isTrue();
        assertThat(cluster.send(follower, "GET", "/v1/locks/disk", (byte[]) null).statusCode())
                .as("the replay did not take the lock again").isEqualTo(404);

        // Bad requests: 4xx.
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{not json").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{\"owner\":\"a\"}").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "POST", "/v1/locks/x", "{\"owner\":\"a\",\"ttlMs\":0}").statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "DELETE", "/v1/locks/x", (byte[]) null).statusCode()).isEqualTo(400);
        assertThat(cluster.send(follower, "PUT", "/v1/locks/x", "{}").statusCode()).isEqualTo(405);
        assertThat(cluster.send(follower, "GET", "/v1/kv/x", (byte[]) null).statusCode()).isEqualTo(404);

        // A lease that is not renewed expires through the log; the next grant has a larger token. The
        // expired acquire, replayed by its key after another owner took the lock, is told so (issue 11):
        // 409 lease_lost naming the new holder and token, not a 200 with a fresh expiresInMs, which would
        // make two owners believe they hold the lock.
        String frank = "{\"owner\":\"frank\",\"ttlMs\":300}";
        HttpResponse<byte[]> shortGrant = cluster.send(follower, "POST", "/v1/locks/short", frank,
                "Idempotency-Key", "frank-short-1");
        assertThat(shortGrant.statusCode()).as(text(shortGrant)).isEqualTo(200);
        assertThat(json(shortGrant).get("expiresInMs").asLong()).isBetween(0L, 300L);
        long shortToken = json(shortGrant).get("token").asLong();
        Await.until(HttpCluster.BOUND, "the unrenewed lease expires",
                () -> cluster.send(follower, "GET", "/v1/locks/short", (byte[]) null).statusCode() == 404);
        HttpResponse<byte[]> after = acquire(follower, "short", "grace", 60_000);
        assertThat(after.statusCode()).isEqualTo(200);
        long gracesToken = json(after).get("token").asLong();
        assertThat(gracesToken).isGreaterThan(shortToken);
        for (int server = 1; server <= 3; server++) {
            HttpResponse<byte[]> stale = cluster.send(server, "POST", "/v1/locks/short", frank,
                    "Idempotency-Key", "frank-short-1");
            assertThat(stale.statusCode()).as("the expired grant replayed through server %d: %s", server, text(stale))
                    .isEqualTo(409);
            assertThat(json(stale).get("error").asText()).isEqualTo("lease_lost");
            assertThat(json(stale).get("lostToken").asLong()).isEqualTo(shortToken);
            assertThat(json(stale).get("holder").asText()).isEqualTo("grace");
            assertThat(json(stale).get("token").asLong()).isEqualTo(gracesToken);
        }
        assertThat(json(cluster.send(follower, "GET", "/v1/locks/short", (byte[]) null)).get("holder").asText())
                .as("the replays took nothing from the new holder").isEqualTo("grace");

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
