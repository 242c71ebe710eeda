package io.paxlog.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.client.NoQuorumException;
import io.paxlog.kv.KvResult;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LockResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The pure parts of the HTTP API: URL decoding, idempotency ids, and responses computed from results. */
class HttpPartsTest {

    @Property
    void percentEncodingRoundTripsEveryByteString(@ForAll byte[] bytes) {
        assertThat(Urls.decode(Urls.encode(bytes), false)).isEqualTo(bytes);
        assertThat(Urls.decode(Urls.encode(bytes), true)).isEqualTo(bytes);
    }

    @Test
    void aPlusIsASpaceOnlyInAQueryAndABadEscapeIsRefused() {
        assertThat(Urls.decode("a+b%2Fc%ff", false)).isEqualTo(new byte[] {'a', '+', 'b', '/', 'c', (byte) 0xff});
        assertThat(new String(Urls.decode("a+b", true), StandardCharsets.UTF_8)).isEqualTo("a b");
        assertThat(Urls.decode("é", false)).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Urls.decode("%zz", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Urls.decode("abc%4", false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Urls.query("/v1/kv?prefix=a%20b&limit=3&prefix=ignored&flag"))
                .containsOnlyKeys("prefix", "limit", "flag");
        assertThat(Urls.path("/v1/kv?prefix=x")).isEqualTo("/v1/kv");
    }

    @Test
    void anIdempotencyScopeIsTheDecodedPathMethodServiceAndKeyAndNamesAKeyedIdBelowTheServersOwn() {
        long id = Forwarder.keyId(Forwarder.scope("kv", request("PUT", "/v1/kv/a%20b", "k1")));
        assertThat(id).isEqualTo(Forwarder.keyId(Forwarder.scope("kv", request("PUT", "/v1/kv/a b", "k1"))))
                .as("two encodings of one path are one request")
                .isBetween(1L << 61, (1L << 62) - 1);
        assertThat(Forwarder.keyId(Forwarder.scope("kv", request("PUT", "/v1/kv/a", "k1")))).isNotEqualTo(id);
        assertThat(Forwarder.keyId(Forwarder.scope("kv", request("DELETE", "/v1/kv/a%20b", "k1")))).isNotEqualTo(id);
        assertThat(Forwarder.keyId(Forwarder.scope("lock", request("PUT", "/v1/kv/a%20b", "k1")))).isNotEqualTo(id);
        assertThat(Forwarder.keyId(Forwarder.scope("kv", request("PUT", "/v1/kv/a%20b", "k2")))).isNotEqualTo(id);
    }

    private static ApiRequest request(String method, String path, String key) {
        io.netty.handler.codec.http.HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.set("Idempotency-Key", key);
        return new ApiRequest(method, path, java.util.Map.of(), headers, new byte[0]);
    }

    @Test
    void versionsAreReadFromETagForms() {
        assertThat(KvRoutes.version("\"12\"")).isEqualTo(12);
        assertThat(KvRoutes.version("W/\"12\"")).isEqualTo(12);
        assertThat(KvRoutes.version(" 7 ")).isEqualTo(7);
        assertThat(KvRoutes.version("*")).isZero();
        assertThat(KvRoutes.version("\"yesterday\"")).isZero();
    }

    @Test
    void kvResponsesFollowFromResultsAlone() {
        HttpReply found = KvRoutes.getReply(new KvResult.Found("v".getBytes(StandardCharsets.UTF_8), 9));
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.headers()).containsEntry("ETag", "\"9\"");
        assertThat(KvRoutes.getReply(new KvResult.NotFound()).status()).isEqualTo(404);
        assertThat(KvRoutes.putReply(new KvResult.Written(4)).bodyText()).isEqualTo("{\"version\":4}");
        HttpReply failed = KvRoutes.putReply(new KvResult.ConditionFailed(3));
        assertThat(failed.status()).isEqualTo(412);
        assertThat(failed.bodyText()).contains("\"error\":\"precondition_failed\"", "\"currentVersion\":3");
        assertThat(KvRoutes.deleteReply(new KvResult.Deleted(5)).bodyText()).contains("\"previousVersion\":5");
        assertThat(KvRoutes.putReply(new KvResult.Rejected(KvResult.Code.VALUE_TOO_LARGE, "big")).status()).isEqualTo(413);
        assertThat(KvRoutes.putReply(new KvResult.Rejected(KvResult.Code.STORE_FULL, "full")).status()).isEqualTo(507);
        HttpReply page = KvRoutes.listReply(new KvResult.Page(List.of(
                new KvResult.KvEntry("a".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff}, 2)), true));
        assertThat(page.bodyText()).isEqualTo("[{\"key\":\"a\",\"value\":\"/w==\",\"valueBase64\":true,\"version\":2}]");
        assertThat(page.headers()).containsEntry("Paxlog-More", "true").containsEntry("Paxlog-Next-After", "a");
    }

    @Test
    void lockReleaseResponsesFollowFromResults() {
        assertThat(LockRoutes.releaseReply(new LockResult.Released(8)).bodyText()).contains("\"token\":8");
        HttpReply other = LockRoutes.releaseReply(new LockResult.Held(new Lease("l", "bob", 3, 1000, 4)));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.bodyText()).contains("\"holder\":\"bob\"", "\"token\":3");
        assertThat(LockRoutes.releaseReply(new LockResult.Free()).status()).isEqualTo(409);
        Lease lease = new Lease("l", "bob", 3, 1000, 4);
        assertThat(LockRoutes.showReply(new LockResult.Held(lease, 250)).bodyText()).contains("\"remainingMs\":250");
        assertThat(LockRoutes.showReply(new LockResult.Held(lease)).bodyText()).contains("\"remainingMs\":null");
        assertThat(LockRoutes.showReply(new LockResult.Free()).status()).isEqualTo(404);
        assertThat(LockRoutes.acquireReply(new LockResult.Held(lease)).status()).isEqualTo(409);
    }

    @Test
    void aGrantIsAnsweredByItsStandingNowNeverOnItsOwn() {
        LockResult.Granted grant = new LockResult.Granted(3, 1000, false);
        HttpReply held = LockRoutes.standingReply(new io.paxlog.lock.LeaseStanding.Held(grant,
                new Lease("l", "alice", 3, 1000, 9), 420));
        assertThat(held.status()).isEqualTo(200);
        assertThat(held.bodyText()).isEqualTo("{\"token\":3,\"expiresInMs\":420,\"ttlMs\":1000,\"renewed\":false}");
        HttpReply uncounted = LockRoutes.standingReply(new io.paxlog.lock.LeaseStanding.Held(grant,
                new Lease("l", "alice", 3, 1000, 9), LockResult.Held.REMAINING_UNKNOWN));
        assertThat(uncounted.bodyText()).contains("\"expiresInMs\":null");

        HttpReply taken = LockRoutes.standingReply(new io.paxlog.lock.LeaseStanding.Lost(grant,
                new Lease("l", "bob", 12, 1000, 12)));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.bodyText()).contains("\"error\":\"lease_lost\"", "\"lostToken\":3", "\"holder\":\"bob\"",
                "\"token\":12");
        HttpReply freed = LockRoutes.standingReply(new io.paxlog.lock.LeaseStanding.Lost(grant, null));
        assertThat(freed.status()).isEqualTo(409);
        assertThat(freed.bodyText()).contains("\"error\":\"lease_lost\"", "\"holder\":null", "nobody holds");
        // The read after the grant got no answer: applied, but whether the lease holds is unknown (504, not
        // 503, which would say "not applied", nor 200, which would say "you hold it").
        HttpReply unread = LockRoutes.standing(java.util.concurrent.CompletableFuture.failedFuture(
                new java.util.concurrent.CompletionException(new IllegalStateException("no answer"))), "alice", grant).join();
        assertThat(unread.status()).isEqualTo(504);
        assertThat(unread.headers()).doesNotContainKey("Retry-After");
        assertThat(unread.bodyText()).contains("\"error\":\"outcome_unknown\"", "\"reason\":\"lease_unread\"",
                "\"token\":3", "was applied", "Idempotency-Key");
        // A grant on its own is never answered 200: the route must read the lock first.
        assertThat(LockRoutes.acquireReply(grant).status()).isNotEqualTo(200);
    }

    @Test
    void aClientFailureBecomesAStatusThatSaysWhatTheCallerMayAssume() {
        HttpReply noQuorum = HttpReply.failure(new java.util.concurrent.CompletionException(
                newNoQuorum()));
        // No quorum: a deposed leader may have logged the write, so its outcome is unknown; never 503, which
        // generic clients and proxies resend on their own.
        assertThat(noQuorum.status()).isEqualTo(504);
        assertThat(noQuorum.headers()).doesNotContainKey("Retry-After");
        assertThat(noQuorum.bodyText()).contains("\"error\":\"outcome_unknown\"", "\"reason\":\"no_quorum\"",
                "same Idempotency-Key");
        HttpReply bug = HttpReply.failure(new IllegalStateException("bug"));
        assertThat(bug.status()).isEqualTo(500);
        assertThat(bug.bodyText()).contains("may or may not have taken effect");

        // A read changes nothing: whatever failed, it never says a write may have taken effect.
        HttpReply read = HttpReply.readFailure(newNoQuorum());
        assertThat(read.status()).isEqualTo(503);
        assertThat(read.headers()).containsKey("Retry-After");
        assertThat(read.bodyText()).contains("\"error\":\"unavailable\"", "asking again is safe")
                .doesNotContain("may or may not");
        assertThat(HttpReply.readFailure(new IllegalStateException("bug")).bodyText()).doesNotContain("may or may not");
    }

    private static NoQuorumException newNoQuorum() {
        try {
            var constructor = NoQuorumException.class.getDeclaredConstructor(long.class, long.class, String.class);
            constructor.setAccessible(true);
            return constructor.newInstance(1L, 1L, "no quorum");
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
