package io.paxlog.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockResult;
import io.paxlog.lock.LockService;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code /v1/locks/{name}}: the lock service over HTTP, one {@link LockCommands} command per request, the
 * response computed from the result alone (so an Idempotency-Key replay gives the same response).
 *
 * <p>{@code GET} is a query ({@code PaxlogClient.query}), answered by the leader by read-index without a
 * log write; the leader's expiry scheduler adds the lease's remaining ttl by its own clock
 * ({@link LockResult.Held#remainingMs}), which is what {@code remainingMs} reports: how long that leader
 * will still let the lease run. A renewal, a release or a leader change (which gives the holder a full
 * ttl again) changes it.
 *
 * <p>A {@link ServiceRoutes} provider, in the server module rather than paxlog-lock for the same reason as
 * {@link KvRoutes}: it is made of Netty and Jackson, which the lock machine has no use for.
 */
public final class LockRoutes implements ServiceRoutes {

    static final String PREFIX = "/v1/locks";
    private static final String ACQUIRE_BODY = "{\"owner\": \"...\", \"ttlMs\": N}";
    private static final java.util.Set<String> ACQUIRE_FIELDS = java.util.Set.of("owner", "ttlMs");

    @Override
    public String service() {
        return LockService.NAME;
    }

    @Override
    public List<String> prefixes() {
        return List.of(PREFIX);
    }

    @Override
    public CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder) {
        if (request.path().equals(PREFIX)) {
            return done(HttpReply.error(404, "not_found", "no such endpoint: " + request.method() + " " + PREFIX
                    + " (a lock is /v1/locks/<name>)"));
        }
        String name = Urls.utf8OrNull(Urls.decode(request.path().substring(PREFIX.length() + 1), false));
        if (name == null) {
            return done(HttpReply.error(400, "bad_name", "a lock name must be UTF-8"));
        }
        return lock(request, name, forwarder);
    }

    private CompletableFuture<HttpReply> lock(ApiRequest request, String name, Forwarder forwarder) {
        if (name.isEmpty()) {
            return done(HttpReply.error(400, "bad_name", "the lock name is empty: use /v1/locks/<name>"));
        }
        return switch (request.method()) {
            case "POST" -> acquire(request, name, forwarder);
            case "DELETE" -> release(request, name, forwarder);
            case "GET" -> submit(forwarder, request, LockCommands.show(name), LockRoutes::showReply);
            default -> done(HttpReply.error(405, "method_not_allowed", request.method() + " is not allowed on a lock")
                    .header("Allow", "GET, POST, DELETE"));
        };
    }

    private CompletableFuture<HttpReply> acquire(ApiRequest request, String name, Forwarder forwarder) {
        JsonNode body;
        try {
            body = HttpReply.JSON.readTree(request.body());
        } catch (JsonProcessingException e) {
            // Jackson's own message names its classes and echoes the input: say where, in our words.
            JsonLocation at = e.getLocation();
            return done(HttpReply.error(400, "bad_json", "the body is not JSON"
                    + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + "; it must be " + ACQUIRE_BODY));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading a byte array cannot fail", e);
        }
        if (body == null || !body.isObject() || !body.path("owner").isTextual() || !body.path("ttlMs").canConvertToLong()
                || !body.path("ttlMs").isIntegralNumber()) {
            return done(HttpReply.error(400, "bad_json", "the body must be " + ACQUIRE_BODY));
        }
        // An unknown field is refused rather than ignored: a misspelt "ttl" would otherwise be a lock with
        // a ttl the client never meant.
        List<String> unknown = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(field -> {
            if (!ACQUIRE_FIELDS.contains(field)) {
                unknown.add(field);
            }
        });
        if (!unknown.isEmpty()) {
            return done(HttpReply.error(400, "bad_json", "unknown field" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown.stream().map(f -> "\"" + f + "\"").toList()) + "; the body must be "
                    + ACQUIRE_BODY));
        }
        byte[] command;
        try {
            command = LockCommands.acquire(name, body.get("owner").asText(), body.get("ttlMs").asLong());
        } catch (IllegalArgumentException e) {
            return done(HttpReply.error(400, "invalid", e.getMessage()));
        }
        return submit(forwarder, request, command, LockRoutes::acquireReply);
    }

    private CompletableFuture<HttpReply> release(ApiRequest request, String name, Forwarder forwarder) {
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
        return submit(forwarder, request, command, LockRoutes::releaseReply);
    }

    private static CompletableFuture<HttpReply> submit(Forwarder forwarder, ApiRequest request, byte[] command,
            Function<LockResult, HttpReply> reply) {
        return forwarder.send(request, command, LockService.NAME, LockCommands::decodeResult, reply);
    }

    // ---- Responses from results ----

    static HttpReply acquireReply(LockResult result) {
        if (result instanceof LockResult.Granted granted) {
            return HttpReply.json(200, HttpReply.object().put("token", granted.token())
                    .put("expiresInMs", granted.ttlMs()).put("renewed", granted.renewed()));
        }
        if (result instanceof LockResult.Held held) {
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

    static HttpReply showReply(LockResult result) {
        if (result instanceof LockResult.Held held) {
            Lease lease = held.lease();
            ObjectNode body = HttpReply.object().put("name", lease.name()).put("holder", lease.holder())
                    .put("token", lease.token()).put("ttlMs", lease.ttlMs()).put("renewedSlot", lease.renewedSlot());
            if (held.knowsRemaining()) {
                body.put("remainingMs", held.remainingMs());
            } else {
                body.putNull("remainingMs");
            }
            return HttpReply.json(200, body);
        }
        if (result instanceof LockResult.Free) {
            return HttpReply.error(404, "not_found", "nobody holds the lock");
        }
        return refusal(result);
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

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
