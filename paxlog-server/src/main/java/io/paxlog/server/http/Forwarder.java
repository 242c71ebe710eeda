package io.paxlog.server.http;

import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * How the HTTP API reaches the leader: through the ordinary client library, pointed at the cluster's
 * client addresses (this server first), so a request that arrives at a follower is forwarded the way
 * any client's command would be: following leader hints, retried with the same {@code (clientId,
 * sequence)}, and failing with the client's typed exceptions.
 *
 * <p><b>One client.</b> Every request this server forwards goes through one long-lived {@link
 * PaxlogClient}: one session (opened through the log, kept alive while idle), one connection per
 * server, and one memory of which attempts may have reached a log, so a retry's outcome is never
 * judged by a client that forgot the first attempt (issue 11). Its window of outstanding commands is at
 * most the cluster's {@code exactlyOnceWindow}, as the servers' exactly-once table requires.
 *
 * <p><b>Idempotency keys.</b> A write with {@code Idempotency-Key: K} is submitted as a keyed command
 * ({@link PaxlogClient#submitKeyed}): its id is 2^61 plus 61 bits of SHA-256 of the key's scope (the
 * service, the method, the decoded path and K), sequence 1. Every retry of the same request therefore
 * names the same log command, whichever server it reaches and whenever; the exactly-once table applies
 * it once and answers every repeat with the saved result and slot, for the cluster's {@code keyTtl}
 * (24 h by default) after it was applied, so the HTTP response, recomputed from that result, is the
 * same. A repeat whose command bytes differ (another body) is answered {@code KEY_REUSED}: 422 {@code
 * idempotency_key_reused}, not applied.
 *
 * <p>Public for {@link ServiceRoutes}, which reach the cluster through it; the server makes the one
 * instance.
 *
 * <p>Threads: any. Futures complete on the client's callback thread.
 */
public final class Forwarder implements AutoCloseable {

    /** The forwarding client's outstanding commands at most, unless the cluster's window is smaller. */
    static final int OUTSTANDING_MAX = 64;

    private final String service;
    private final PaxlogClient shared;
    /** Who this server believes leads (itself when leading), 0 when unknown. */
    private final IntSupplier localLeader;
    /** The last such hint handed to {@link #shared}. */
    private volatile int hinted;

    /**
     * @param servers           client addresses by server id, in the order to try them (this server first)
     * @param service           the cluster's service, part of every idempotency key's scope
     * @param exactlyOnceWindow the cluster's window: the client keeps fewer commands outstanding
     * @param localLeader       who this server believes leads, 0 when unknown: the forwarding client goes
     *                          there first whenever that view changes, so a request on the leader is served by
     *                          the leader
     */
    Forwarder(Map<Integer, InetSocketAddress> servers, String clusterId, String service, int exactlyOnceWindow,
            IntSupplier localLeader) {
        this.service = service;
        this.localLeader = localLeader;
        this.shared = PaxlogClient.builder().servers(servers).clusterId(clusterId)
                .maxOutstanding(Math.min(OUTSTANDING_MAX, exactlyOnceWindow)).build();
    }

    /** Hands the client this server's view of the leader when it changed since the last request. */
    private void followLocalView() {
        int leader = localLeader.getAsInt();
        if (leader != 0 && leader != hinted) {
            hinted = leader;
            shared.leaderHint(leader);
        }
    }

    /**
     * Sends what an API request asks for and turns the cluster's answer into an HTTP reply: a GET as a
     * read-index query, a write with an idempotency key through {@link #submitOnce}, any other write
     * through the log. {@code decode} reads the service's result ({@code service} names it in the 502
     * when the answer is not one, e.g. a cluster running another service); failures become the client
     * exceptions' replies.
     */
    public <R> CompletableFuture<HttpReply> send(ApiRequest request, byte[] command, String service,
            java.util.function.Function<byte[], R> decode, java.util.function.Function<R, HttpReply> reply) {
        boolean read = request.method().equals("GET");
        CompletableFuture<Result> result = read ? query(command)
                : request.idempotencyKey() != null ? submitOnce(request, command)
                : submit(command);
        return result.handle((applied, failure) -> {
            if (failure != null) {
                return read ? HttpReply.readFailure(failure) : HttpReply.failure(failure);
            }
            R decoded;
            try {
                decoded = decode.apply(applied.value());
            } catch (IllegalArgumentException e) {
                // A write got this answer because it was applied: say so, rather than let a 5xx read as "failed".
                return HttpReply.error(502, "bad_result", (read ? "" : "the command was applied at slot "
                        + applied.slot() + ", but ") + "the cluster's answer is not a " + service
                        + " result (is it running service: " + service + "?): " + e.getMessage());
            }
            return reply.apply(decoded);
        });
    }

    /** Submits a command through the log, in this server's session. */
    public CompletableFuture<Result> submit(byte[] command) {
        followLocalView();
        return shared.submit(command);
    }

    /** A read-only query, answered by the leader by read-index: linearizable, never written to the log. */
    public CompletableFuture<Result> query(byte[] request) {
        followLocalView();
        return shared.query(request);
    }

    /**
     * Submits {@code command} as the keyed command of {@code request}'s {@code Idempotency-Key}: see the
     * class comment. Its outcome comes from the log: the key's saved result when a copy was applied.
     */
    public CompletableFuture<Result> submitOnce(ApiRequest request, byte[] command) {
        followLocalView();
        return shared.submitKeyed(keyId(scope(service, request)), command);
    }

    /**
     * What an idempotency key is scoped to: the service, the method, the path as decoded (two encodings
     * of one path are one request; fix 6 of issue 11) and the key. Lengths separate the parts, so no
     * part can run into the next.
     */
    static String scope(String service, ApiRequest request) {
        String path = new String(Urls.decode(request.path(), false), StandardCharsets.ISO_8859_1);
        StringBuilder scope = new StringBuilder();
        for (String part : new String[] {service, request.method(), path, request.idempotencyKey()}) {
            scope.append(part.length()).append(':').append(part);
        }
        return scope.toString();
    }

    /** The keyed client id of {@code scope}: in [2^61, 2^62), below the servers' own ids; stable everywhere. */
    static long keyId(String scope) {
        return PaxlogClient.keyId(scope);
    }

    @Override
    public void close() {
        shared.close();
    }
}
