package io.paxlog.server.http;

import io.paxlog.client.Result;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/service/command} and {@code POST /v1/service/query}: any service over HTTP without routes
 * of its own. The request body is the payload exactly as the service's codec writes a command or query,
 * and a 200 response's body is the result's bytes exactly as the state machine returned them
 * ({@code application/octet-stream}), with the slot it was applied at ({@code Paxlog-Slot}, commands only)
 * and the service that answered ({@code Paxlog-Service}).
 *
 * <p>A command goes through the log; with an {@code Idempotency-Key} it applies once however often it is
 * retried, and every retry gets the saved result (same bytes, same slot), exactly as for the kv routes. A
 * query is a read-only query answered by the leader once read-index proved it current: linearizable,
 * never written to the log; a state machine that answers no queries, or cannot parse this one, makes it
 * 400 {@code rejected}.
 */
final class ServiceEndpoints {

    static final String PREFIX = "/v1/service";
    static final String COMMAND = PREFIX + "/command";
    static final String QUERY = PREFIX + "/query";
    static final String OCTETS = "application/octet-stream";

    private final String service;
    private final Forwarder forwarder;

    ServiceEndpoints(String service, Forwarder forwarder) {
        this.service = service;
        this.forwarder = forwarder;
    }

    /** The response to a request under {@link #PREFIX}. */
    CompletableFuture<HttpReply> handle(ApiRequest request) {
        boolean command = request.path().equals(COMMAND);
        if (!command && !request.path().equals(QUERY)) {
            return CompletableFuture.completedFuture(HttpReply.error(404, "not_found", "no such endpoint: "
                    + request.path() + " (POST " + COMMAND + " or " + QUERY + ")"));
        }
        if (!request.method().equals("POST")) {
            return CompletableFuture.completedFuture(HttpReply.error(405, "method_not_allowed",
                    "only POST is allowed here: the body is the " + (command ? "command" : "query") + " payload")
                    .header("Allow", "POST"));
        }
        byte[] payload = request.body();
        CompletableFuture<Result> result = !command ? forwarder.query(payload)
                : request.idempotencyKey() != null ? forwarder.submitOnce(request, payload)
                : forwarder.submit(payload);
        return result.handle((answered, failure) -> {
            if (failure != null) {
                return command ? HttpReply.failure(failure) : HttpReply.readFailure(failure);
            }
            HttpReply reply = HttpReply.bytes(200, answered.value(), OCTETS).header("Paxlog-Service", service);
            return command ? reply.header("Paxlog-Slot", Long.toString(answered.slot())) : reply;
        });
    }
}
