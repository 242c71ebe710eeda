package io.paxlog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.client.Result;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code /v1/locks/{name}}: the lock service over HTTP, one {@link LockCommands} command per request, the
 * response computed from the result alone (so an Idempotency-Key replay gives the same response).
 *
 * <p><b>Remaining ttl is an estimate.</b> The lock machine keeps no time: a lease runs out {@code ttlMs}
 * after the leader saw its grant or renewal applied (and a new leader restarts every clock). This server
 * does not know the leader's clock, so {@code GET} reports {@code remainingMs} counted from when this
 * server first saw the lease's current grant or renewal (in a {@code GET} or a 409 naming it); never
 * more than {@code ttlMs}, and possibly less than the leader will allow.
 */
final class LockRoutes {

    /** Leases whose first sighting is remembered; beyond this the memory starts over (estimates reset). */
    static final int SIGHTINGS_MAX = 10_000;

    private record Sighting(long renewedSlot, long seenAtNanos) {}

    private final Forwarder forwarder;
    private final Map<String, Sighting> sightings = new ConcurrentHashMap<>();

    LockRoutes(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    CompletableFuture<HttpReply> handle(ApiRequest request, String name) {
        if (name.isEmpty()) {
            return done(HttpReply.error(400, "bad_name", "the lock name is empty: use /v1/locks/<name>"));
        }
        return switch (request.method()) {
            case "POST" -> acquire(request, name);
            case "DELETE" -> release(request, name);
            case "GET" -> submit(request, LockCommands.show(name), result -> showReply(name, result));
            default -> done(HttpReply.error(405, "method_not_allowed", request.method() + " is not allowed on a lock")
                    .header("Allow", "GET, POST, DELETE"));
        };
    }

    private CompletableFuture<HttpReply> acquire(ApiRequest request, String name) {
        JsonNode body;
        try {
            body = HttpReply.JSON.readTree(request.body());
        } catch (IOException e) {
            return done(HttpReply.error(400, "bad_json", "the body must be {\"owner\": \"...\", \"ttlMs\": N}: "
                    + e.getMessage()));
        }
        if (body == null || !body.isObject() || !body.path("owner").isTextual() || !body.path("ttlMs").canConvertToLong()
                || !body.path("ttlMs").isIntegralNumber()) {
            return done(HttpReply.error(400, "bad_json", "the body must be {\"owner\": \"...\", \"ttlMs\": N}"));
        }
        byte[] command;
        try {
            command = LockCommands.acquire(name, body.get("owner").asText(), body.get("ttlMs").asLong());
        } catch (IllegalArgumentException e) {
            return done(HttpReply.error(400, "invalid", e.getMessage()));
        }
        return submit(request, command, result -> acquireReply(name, result));
    }

    private CompletableFuture<HttpReply> release(ApiRequest request, String name) {
        byte[] owner = request.query().get("owner");
        String text = owner == null ? null : Urls.utf8OrNull(owner);
        if (text == null || text.isEmpty()) {
            return done(HttpReply.error(400, "bad_owner", "give the owner: DELETE /v1/locks/<name>?owner=<owner>"));
        }
        byte[] command;
        try {
            command = LockCommands.release(name, text);
        } catch (IllegalArgumentException e) {
            return done(HttpReply.error(400, "invalid", e.getMessage()));
        }
        return submit(request, command, LockRoutes::releaseReply);
    }

    private CompletableFuture<HttpReply> submit(ApiRequest request, byte[] command,
            Function<LockResult, HttpReply> reply) {
        boolean write = !request.method().equals("GET");
        CompletableFuture<Result> result = write && request.idempotencyKey() != null
                ? forwarder.submitOnce(request.idempotencyScope(), command)
                : forwarder.submit(command);
        return result.handle((applied, failure) -> {
            if (failure != null) {
                return HttpReply.failure(failure);
            }
            LockResult decoded;
            try {
                decoded = LockCommands.decodeResult(applied.value());
            } catch (IllegalArgumentException e) {
                return HttpReply.error(502, "bad_result", "the cluster's answer is not a lock result (is it running"
                        + " service: lock?): " + e.getMessage());
            }
            return reply.apply(decoded);
        });
    }

    // ---- Responses from results ----

    private HttpReply acquireReply(String name, LockResult result) {
        if (result instanceof LockResult.Granted granted) {
            return HttpReply.json(200, HttpReply.object().put("token", granted.token())
                    .put("expiresInMs", granted.ttlMs()).put("renewed", granted.renewed()));
        }
        if (result instanceof LockResult.Held held) {
            sighted(held.lease());
            return HttpReply.json(409, heldBody("held", "the lock is held by " + held.lease().holder(), held.lease()));
        }
        return refusal(result);
    }

    static HttpReply releaseReply(LockResult result) {
        if (result instanceof LockResult.Released released) {
            return HttpReply.json(200, HttpReply.object().put("released", true).put("token", released.token()));
        }
        if (result instanceof LockResult.Held held) {
            return HttpReply.json(409, heldBody("not_holder", "the lock is held by " + held.lease().holder()
                    + ", not by this owner", held.lease()));
        }
        if (result instanceof LockResult.Free) {
            return HttpReply.json(409, HttpReply.errorBody("not_held", "nobody holds the lock"));
        }
        return refusal(result);
    }

    private HttpReply showReply(String name, LockResult result) {
        if (result instanceof LockResult.Held held) {
            Lease lease = held.lease();
            long seenAt = sighted(lease);
            long elapsedMs = (System.nanoTime() - seenAt) / 1_000_000;
            return HttpReply.json(200, HttpReply.object().put("name", lease.name()).put("holder", lease.holder())
                    .put("token", lease.token()).put("ttlMs", lease.ttlMs()).put("renewedSlot", lease.renewedSlot())
                    .put("remainingMs", Math.max(0, lease.ttlMs() - elapsedMs)));
        }
        if (result instanceof LockResult.Free) {
            sightings.remove(name);
            return HttpReply.error(404, "not_found", "nobody holds the lock");
        }
        return refusal(result);
    }

    /** When this server first saw the lease's current grant or renewal; remembered from now if not yet. */
    private long sighted(Lease lease) {
        if (sightings.size() >= SIGHTINGS_MAX) {
            sightings.clear();
        }
        Sighting sighting = sightings.compute(lease.name(), (name, old) -> old != null
                && old.renewedSlot() == lease.renewedSlot() ? old : new Sighting(lease.renewedSlot(), System.nanoTime()));
        return sighting.seenAtNanos();
    }

    private static ObjectNode heldBody(String error, String message, Lease lease) {
        return HttpReply.errorBody(error, message).put("holder", lease.holder()).put("token", lease.token());
    }

    private static HttpReply refusal(LockResult result) {
        if (result instanceof LockResult.Rejected rejected) {
            return switch (rejected.code()) {
                case TOO_MANY_LOCKS -> HttpReply.error(507, "too_many_locks", rejected.message());
                case MALFORMED, INVALID_ARGUMENT -> HttpReply.error(400, "invalid", rejected.message());
            };
        }
        return HttpReply.error(502, "bad_result", "unexpected lock result " + result);
    }

    static String name(byte[] decoded) {
        String text = Urls.utf8OrNull(decoded);
        return text == null ? null : new String(decoded, StandardCharsets.UTF_8);
    }

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
