package io.paxlog.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LeaseStanding;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockResult;
import io.paxlog.lock.LockService;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p><b>An acquire answers the lease's state now, not the grant's then</b> (issue 11). The exactly-once
 * layer answers a retried acquire (an Idempotency-Key replay, a retry with the same sequence) with the
 * grant saved when it was first applied, which may be long ago: its lease may have expired or been
 * released, and another owner may hold the lock. So a grant is never answered on its own: the route
 * then reads the lock (a read-index show, after the grant's answer, so it sees the grant and everything
 * since) and answers by {@link LeaseStanding}: 200 with the leader's remaining ttl as {@code expiresInMs}
 * while the grant's tenure (its token) still holds the lock, 409 {@code lease_lost} (with who holds it
 * now) once it does not, and 504 {@code outcome_unknown} (reason {@code lease_unread}) if that read got
 * no answer: the acquire was applied, but whether the caller still holds the lock is not known. A fresh
 * acquire costs that read too (one read-index round); in exchange every answer is true when it is made.
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
        if (body == null || !body.isObject()) {
            return done(HttpReply.error(400, "bad_json", "the body must be " + ACQUIRE_BODY));
        }
        // An unknown field is refused rather than ignored: a misspelt "ttl" would otherwise be a lock with
        // a ttl the client never meant. Checked first, so that a misspelling is named rather than reported
        // as the field it replaced being missing.
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
        if (!body.path("owner").isTextual() || !body.path("ttlMs").isIntegralNumber() || !body.path("ttlMs").canConvertToLong()) {
            return done(HttpReply.error(400, "bad_json", "the body must be " + ACQUIRE_BODY + ": "
                    + (!body.path("owner").isTextual() ? "\"owner\" must be a string" : "\"ttlMs\" must be a whole number of"
                            + " milliseconds")));
        }
        String owner = body.get("owner").asText();
        byte[] command;
        try {
            command = LockCommands.acquire(name, owner, body.get("ttlMs").asLong());
        } catch (IllegalArgumentException e) {
            return done(HttpReply.error(400, "invalid", e.getMessage()));
        }
        // The grant, if the acquire's result is one, is kept aside to be judged against the state read next;
        // any other result is answered as it is. Set on the client thread that completes the submit, read
        // after that future completed (which orders the two).
        AtomicReference<LockResult.Granted> grant = new AtomicReference<>();
        return submit(forwarder, request, command, result -> {
            if (result instanceof LockResult.Granted granted) {
                grant.set(granted);
            }
            return acquireReply(result);
        }).thenCompose(reply -> grant.get() == null ? done(reply) : standing(forwarder, name, owner, grant.get()));
    }

    /** Reads the lock after {@code grant} was answered and answers by the grant's standing now. */
    private static CompletableFuture<HttpReply> standing(Forwarder forwarder, String name, String owner,
            LockResult.Granted grant) {
        return standing(forwarder.query(LockCommands.show(name)), owner, grant);
    }

    /** The answer to {@code grant} once {@code read}, a show of its lock sent after it was answered, completes. */
    static CompletableFuture<HttpReply> standing(CompletableFuture<io.paxlog.client.Result> read, String owner,
            LockResult.Granted grant) {
        return read.handle((shown, failure) -> {
            if (failure != null) {
                return leaseUnread(grant, failure);
            }
            try {
                return standingReply(LeaseStanding.of(grant, owner, LockCommands.decodeResult(shown.value())));
            } catch (IllegalArgumentException e) {
                return HttpReply.error(502, "bad_result", "the acquire was applied and granted token " + grant.token()
                        + ", but the lock's state could not be read as a lock result: " + e.getMessage());
            }
        });
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

    /**
     * The answer to an acquire's result that is not a grant (a grant is answered by {@link #standingReply}
     * once the lock was read; this answers one only as a fallback nobody sends).
     */
    static HttpReply acquireReply(LockResult result) {
        if (result instanceof LockResult.Granted granted) {
            return HttpReply.error(500, "internal", "a grant of token " + granted.token() + " is answered only once"
                    + " the lock's state was read; the acquire was applied");
        }
        if (result instanceof LockResult.Held held) {
            // A result of the log, so possibly replayed long after: say when it was true.
            return HttpReply.json(409, heldBody("held", "the lock was held by " + held.lease().holder()
                    + " when this acquire was applied: not granted", held.lease()));
        }
        return refusal(result);
    }

    /**
     * The answer to a grant by its standing now: 200 with the leader's remaining ttl as {@code expiresInMs}
     * (null if the read did not carry it) while the granted tenure holds the lock; 409 {@code lease_lost}
     * once it does not, with the lost token and who holds the lock now ({@code holder} and {@code token},
     * null when nobody does).
     */
    static HttpReply standingReply(LeaseStanding standing) {
        // LeaseStanding is sealed with these two kinds (Java 17 has no pattern switch): a third would fail here.
        if (standing instanceof LeaseStanding.Held held) {
            ObjectNode body = HttpReply.object().put("token", held.grant().token());
            if (held.knowsRemaining()) {
                body.put("expiresInMs", held.remainingMs());
            } else {
                body.putNull("expiresInMs");
            }
            return HttpReply.json(200, body.put("ttlMs", held.lease().ttlMs()).put("renewed", held.grant().renewed()));
        }
        if (standing instanceof LeaseStanding.Lost lost) {
            Lease current = lost.current();
            ObjectNode body = HttpReply.errorBody("lease_lost", "this acquire was applied and granted token "
                    + lost.grant().token() + ", but that lease has ended since (expired or released): "
                    + (current == null ? "nobody holds the lock now"
                            : "the lock is now held by " + current.holder() + " with token " + current.token())
                    + ". Do not use token " + lost.grant().token() + "; acquire again (with a new Idempotency-Key)")
                    .put("lostToken", lost.grant().token());
            if (current == null) {
                body.putNull("holder").putNull("token");
            } else {
                body.put("holder", current.holder()).put("token", current.token());
            }
            return HttpReply.json(409, body);
        }
        throw new AssertionError("unknown lease standing " + standing);
    }

    /** A grant whose lock could not be read after it: applied, but whether it still holds is unknown. */
    private static HttpReply leaseUnread(LockResult.Granted grant, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return HttpReply.json(504, HttpReply.errorBody("outcome_unknown", "the acquire was applied and granted token "
                + grant.token() + ", but reading the lock after it got no answer (" + cause.getMessage() + "), so whether "
                + "that lease still holds the lock is unknown. To find out, GET the lock, or send the acquire again with "
                + "the same Idempotency-Key (it is not applied again, and its answer says whether the lease still holds)")
                .put("reason", "lease_unread").put("token", grant.token()));
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
