package io.paxlog.server.http;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP routes of one service: the paths it owns and how it answers them. Providers are found with
 * {@link java.util.ServiceLoader}: a jar lists its implementations in
 * {@code META-INF/services/io.paxlog.server.http.ServiceRoutes}, each with a public no-argument
 * constructor. The server knows none by name; it dispatches by path.
 *
 * <p>A request under a prefix is handed to its provider only when the cluster runs that provider's
 * {@link #service()}; otherwise it is answered 404 {@code wrong_service}, saying which service the path
 * needs. Every service, with routes of its own or not, also answers {@code POST /v1/service/command}
 * and {@code POST /v1/service/query} with its raw payloads, so it needs no provider to be used over HTTP.
 *
 * <p>A route turns a request into one command or query of its service and the result into a response
 * through the {@link Forwarder}, which reaches the leader like any client (and applies a write with an
 * {@code Idempotency-Key} once). Compute the response from the result alone: a retried idempotent write
 * gets the saved result again, and so the same response.
 *
 * <p>Threads: {@link #handle} runs on the HTTP event loop and must not block; its future may complete
 * on any thread. One instance serves every request.
 */
public interface ServiceRoutes {

    /** The {@code Service.name()} these routes belong to. */
    String service();

    /**
     * The paths owned, each starting with {@code /} and not ending with one: a prefix owns itself and
     * every path below it ({@code /v1/kv} owns {@code /v1/kv} and {@code /v1/kv/a}, not {@code /v1/kvx}).
     * Prefixes of different providers must not overlap; {@code /v1/status}, {@code /metrics} and
     * {@code /v1/service} are the server's own.
     */
    List<String> prefixes();

    /**
     * Answers {@code request}, whose path is under one of {@link #prefixes()} (still percent-encoded: see
     * {@link Urls#decode}). Throwing {@link IllegalArgumentException} answers 400 with its message.
     */
    CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder);
}
