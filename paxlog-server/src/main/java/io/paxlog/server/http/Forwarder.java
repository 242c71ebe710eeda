package io.paxlog.server.http;

import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * How the HTTP API reaches the leader: through the ordinary client library, pointed at the cluster's
 * client addresses (this server first), so a request that arrives at a follower is forwarded the way
 * any client's command would be: following leader hints, retried with the same {@code (clientId,
 * sequence)}, and failing with the client's typed exceptions.
 *
 * <p><b>Idempotency keys.</b> A write with {@code Idempotency-Key: K} is submitted by a one-command client
 * whose id is derived from {@code (method, path, K)} (63 bits of SHA-256) with sequence 1. Every retry of
 * the same request therefore names the same log command, and the exactly-once layer applies it once and
 * answers every repeat with the saved result, on any server, after any leader change or restart; the
 * HTTP response is recomputed from that saved result, so it is the same response. Limits, stated in the
 * README: the key is scoped to method and path, not the body (a retry with another body gets the first
 * body's response); every key used adds a client to the replicated exactly-once table, which keeps it
 * (and the saved result) for good; and at most {@link #IDEMPOTENT_IN_FLIGHT_MAX} such requests run at once
 * per server (each has its own connection), beyond which they are answered 503.
 *
 * <p>Public for {@link ServiceRoutes}, which reach the cluster through it; the server makes the one
 * instance.
 *
 * <p>Threads: any. Futures complete on the clients' threads.
 */
public final class Forwarder implements AutoCloseable {

    static final int IDEMPOTENT_IN_FLIGHT_MAX = 64;

    private final Map<Integer, InetSocketAddress> servers;
    private final String clusterId;
    private final PaxlogClient shared;
    /** Who this server believes leads (itself when leading), 0 when unknown. */
    private final IntSupplier localLeader;
    /** The last such hint handed to {@link #shared}. */
    private volatile int hinted;
    private final Semaphore idempotentSlots = new Semaphore(IDEMPOTENT_IN_FLIGHT_MAX);
    /** Closes the one-command clients off their own threads (a close waits for its network thread). */
    private final ExecutorService closer = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "paxlog-http-idempotent-close");
        thread.setDaemon(true);
        return thread;
    });

    /** @param servers client addresses by server id, in the order to try them (this server first) */
    Forwarder(Map<Integer, InetSocketAddress> servers, String clusterId) {
        this(servers, clusterId, () -> 0);
    }

    /**
     * @param localLeader who this server believes leads, 0 when unknown: the forwarding client goes
     *     there first whenever that view changes, so a request on the leader is served by the leader
     */
    Forwarder(Map<Integer, InetSocketAddress> servers, String clusterId, IntSupplier localLeader) {
        this.servers = servers;
        this.clusterId = clusterId;
        this.localLeader = localLeader;
        this.shared = PaxlogClient.builder().servers(servers).clusterId(clusterId).build();
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
                : request.idempotencyKey() != null ? submitOnce(request.idempotencyScope(), command)
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

    /** Submits a command through the log. */
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
     * Submits a command as the one command of the client that {@code scope} names: see the class comment.
     * Fails with {@link TooManyIdempotentRequests} when too many are under way.
     */
    public CompletableFuture<Result> submitOnce(String scope, byte[] command) {
        if (!idempotentSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(new TooManyIdempotentRequests());
        }
        PaxlogClient once;
        try {
            once = PaxlogClient.builder().servers(servers).clusterId(clusterId).clientId(clientId(scope))
                    .maxOutstanding(1).callbackExecutor(Runnable::run).build();
        } catch (RuntimeException e) {
            idempotentSlots.release();
            throw e;
        }
        once.leaderHint(localLeader.getAsInt());
        CompletableFuture<Result> result = once.submit(command);
        result.whenCompleteAsync((value, failure) -> {
            try {
                once.close();
            } finally {
                idempotentSlots.release();
            }
        }, closer);
        return result;
    }

    /**
     * A positive client id below 2^62 from SHA-256 of {@code scope}; stable across servers and restarts.
     * Ids from 2^62 up are the servers' own (their leader duties' proposals), which a server refuses from
     * any client.
     */
    static long clientId(String scope) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(("paxlog-http-idempotency\0" + scope).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (digest[i] & 0xff);
        }
        id &= (1L << 62) - 1;
        return id == 0 ? 1 : id;
    }

    @Override
    public void close() {
        shared.close();
        closer.shutdown();
        try {
            closer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** More idempotent requests under way than {@link #IDEMPOTENT_IN_FLIGHT_MAX}. */
    static final class TooManyIdempotentRequests extends RuntimeException {
        TooManyIdempotentRequests() {
            super(IDEMPOTENT_IN_FLIGHT_MAX + " requests with an Idempotency-Key are under way on this server; retry later");
        }
    }
}
