package io.paxlog.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.client.Result;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvLimits;
import io.paxlog.kv.KvResult;
import io.paxlog.kv.KvService;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * {@code /v1/kv}: the key-value service over HTTP. Each request becomes one {@link KvCommands} command;
 * each response is computed from the command's result alone, so a replayed result (an Idempotency-Key
 * retry) gives the same response.
 *
 * <p>Reads ({@code GET}) are queries ({@code PaxlogClient.query}): the leader answers them from its state
 * once read-index proved it current, so they are linearizable and never written to the log.
 *
 * <p>A {@link ServiceRoutes} provider (registered in this module's
 * {@code META-INF/services/io.paxlog.server.http.ServiceRoutes}). It lives in the server module, not in
 * paxlog-kv, because it is made of Netty requests and Jackson trees: the store itself stays free of
 * HTTP, and anything that embeds it does not pull in a web stack.
 */
public final class KvRoutes implements ServiceRoutes {

    /** Entries a list returns when {@code limit} is not given. */
    static final int LIST_LIMIT_DEFAULT = 100;
    static final String PREFIX = "/v1/kv";
    /** Writes an {@code If-Match: *} tries while other writers keep changing the key's version. */
    static final int ANY_VERSION_ATTEMPTS = 3;

    /** The store's default limits, which every server runs with (see {@code KvService}). */
    private final KvLimits limits = KvLimits.DEFAULTS;

    @Override
    public String service() {
        return KvService.NAME;
    }

    @Override
    public List<String> prefixes() {
        return List.of(PREFIX);
    }

    @Override
    public CompletableFuture<HttpReply> handle(ApiRequest request, Forwarder forwarder) {
        String path = request.path();
        return path.equals(PREFIX) ? list(request, forwarder)
                : key(request, Urls.decode(path.substring(PREFIX.length() + 1), false), forwarder);
    }

    private CompletableFuture<HttpReply> key(ApiRequest request, byte[] key, Forwarder forwarder) {
        if (key.length == 0) {
            return done(HttpReply.error(400, "bad_key", "the key is empty: use /v1/kv/<key>, or GET /v1/kv?prefix= to list"));
        }
        if (key.length > limits.keyBytesMax()) {
            return done(HttpReply.error(413, "key_too_large", "the key has " + key.length + " bytes; the limit is "
                    + limits.keyBytesMax()));
        }
        return switch (request.method()) {
            case "GET" -> submit(forwarder, request, KvCommands.get(key), KvRoutes::getReply);
            case "PUT" -> put(request, key, forwarder);
            case "DELETE" -> delete(request, key, forwarder);
            default -> done(HttpReply.error(405, "method_not_allowed", request.method() + " is not allowed on a key")
                    .header("Allow", "GET, PUT, DELETE"));
        };
    }

    private CompletableFuture<HttpReply> list(ApiRequest request, Forwarder forwarder) {
        if (!request.method().equals("GET")) {
            return done(HttpReply.error(405, "method_not_allowed", "only GET lists keys").header("Allow", "GET"));
        }
        byte[] prefix = request.query().getOrDefault("prefix", new byte[0]);
        byte[] after = request.query().getOrDefault("after", new byte[0]);
        int limit = LIST_LIMIT_DEFAULT;
        byte[] limitText = request.query().get("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(new String(limitText, java.nio.charset.StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1) {
                return done(HttpReply.error(400, "bad_limit", "limit must be a positive integer"));
            }
        }
        if (prefix.length > limits.keyBytesMax() || after.length > limits.keyBytesMax()) {
            return done(HttpReply.error(413, "key_too_large", "prefix and after are keys: at most "
                    + limits.keyBytesMax() + " bytes"));
        }
        return submit(forwarder, request, KvCommands.list(prefix, after, Math.min(limit, limits.listEntriesMax())),
                KvRoutes::listReply);
    }

    private CompletableFuture<HttpReply> put(ApiRequest request, byte[] key, Forwarder forwarder) {
        String ifMatch = request.header("If-Match");
        String ifNoneMatch = request.header("If-None-Match");
        if (ifMatch != null && ifNoneMatch != null) {
            return done(HttpReply.error(400, "bad_precondition", "give If-Match or If-None-Match, not both"));
        }
        byte[] value = request.body();
        if (value.length > limits.valueBytesMax()) {
            return done(HttpReply.error(413, "value_too_large", "the value has " + value.length
                    + " bytes; the limit is " + limits.valueBytesMax()));
        }
        if (ifMatch != null && ifMatch.trim().equals("*")) {
            return ifExists(request, key, forwarder, version -> KvCommands.compareAndSet(key, version, value),
                    KvRoutes::putReply, ANY_VERSION_ATTEMPTS);
        }
        byte[] command;
        if (ifMatch != null) {
            long version = version(ifMatch);
            if (version < 1) {
                return done(badVersion("If-Match", ifMatch));
            }
            command = KvCommands.compareAndSet(key, version, value);
        } else if (ifNoneMatch != null) {
            if (!ifNoneMatch.trim().equals("*")) {
                return done(HttpReply.error(400, "bad_precondition", "only If-None-Match: * is supported (create if absent)"));
            }
            command = KvCommands.putIfAbsent(key, value);
        } else {
            command = KvCommands.put(key, value);
        }
        return submit(forwarder, request, command, KvRoutes::putReply);
    }

    private CompletableFuture<HttpReply> delete(ApiRequest request, byte[] key, Forwarder forwarder) {
        String ifMatch = request.header("If-Match");
        if (ifMatch != null && ifMatch.trim().equals("*")) {
            return ifExists(request, key, forwarder, version -> KvCommands.deleteIfVersion(key, version),
                    KvRoutes::deleteReply, ANY_VERSION_ATTEMPTS);
        }
        byte[] command;
        if (ifMatch != null) {
            long version = version(ifMatch);
            if (version < 1) {
                return done(badVersion("If-Match", ifMatch));
            }
            command = KvCommands.deleteIfVersion(key, version);
        } else {
            command = KvCommands.delete(key);
        }
        return submit(forwarder, request, command, KvRoutes::deleteReply);
    }

    /**
     * {@code If-Match: *}: only if the key exists, whatever its version. The store's conditions are "this
     * version" and "absent", so this reads the current version and writes on that version; a write that
     * lost a race to another writer (the key still exists, with a newer version) applied nothing, so it is
     * tried again on the newer version, up to {@code attempts} times. With an Idempotency-Key it is tried
     * once: its retries must name the same command, which answers as the first did.
     */
    private static CompletableFuture<HttpReply> ifExists(ApiRequest request, byte[] key, Forwarder forwarder,
            LongFunction<byte[]> write, Function<KvResult, HttpReply> reply, int attempts) {
        return forwarder.query(KvCommands.get(key)).handle((read, failure) -> {
            if (failure != null) {
                return done(HttpReply.readFailure(failure)); // nothing was written yet
            }
            KvResult current = decoded(read.value());
            if (current instanceof KvResult.NotFound) {
                return done(conditionOrRefusal(new KvResult.ConditionFailed(0)));
            }
            if (!(current instanceof KvResult.Found found)) {
                return done(current == null ? badResult() : unexpected(current));
            }
            byte[] command = write.apply(found.version());
            boolean once = request.idempotencyKey() != null;
            CompletableFuture<Result> written = once ? forwarder.submitOnce(request, command)
                    : forwarder.submit(command);
            return written.handle((applied, writeFailure) -> {
                if (writeFailure != null) {
                    return done(HttpReply.failure(writeFailure));
                }
                KvResult result = decoded(applied.value());
                if (result == null) {
                    return done(badResult());
                }
                if (result instanceof KvResult.ConditionFailed lost && lost.currentVersion() != 0 && !once
                        && attempts > 1) {
                    return ifExists(request, key, forwarder, write, reply, attempts - 1);
                }
                return done(reply.apply(result));
            }).thenCompose(next -> next);
        }).thenCompose(next -> next);
    }

    /** The result in {@code bytes}, or null if they are not a kv result. */
    private static KvResult decoded(byte[] bytes) {
        try {
            return KvCommands.decodeResult(bytes);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static HttpReply badResult() {
        return HttpReply.error(502, "bad_result", "the cluster's answer is not a kv result (is it running service: kv?)");
    }

    private static CompletableFuture<HttpReply> submit(Forwarder forwarder, ApiRequest request, byte[] command,
            Function<KvResult, HttpReply> reply) {
        return forwarder.send(request, command, KvService.NAME, KvCommands::decodeResult, reply);
    }

    // ---- Responses from results (pure: a replayed result gives the same response) ----

    static HttpReply getReply(KvResult result) {
        if (result instanceof KvResult.Found found) {
            return HttpReply.bytes(200, found.value(), "application/octet-stream").header("ETag", etag(found.version()));
        }
        if (result instanceof KvResult.NotFound) {
            return HttpReply.error(404, "not_found", "no such key");
        }
        return unexpected(result);
    }

    static HttpReply putReply(KvResult result) {
        if (result instanceof KvResult.Written written) {
            return HttpReply.json(200, HttpReply.object().put("version", written.version()))
                    .header("ETag", etag(written.version()));
        }
        return conditionOrRefusal(result);
    }

    static HttpReply deleteReply(KvResult result) {
        if (result instanceof KvResult.Deleted deleted) {
            return HttpReply.json(200, HttpReply.object().put("deleted", true)
                    .put("previousVersion", deleted.previousVersion()));
        }
        if (result instanceof KvResult.NotFound) {
            return HttpReply.error(404, "not_found", "no such key");
        }
        return conditionOrRefusal(result);
    }

    static HttpReply listReply(KvResult result) {
        if (!(result instanceof KvResult.Page page)) {
            return conditionOrRefusal(result);
        }
        ArrayNode entries = HttpReply.JSON.createArrayNode();
        for (KvResult.KvEntry entry : page.entries()) {
            ObjectNode item = entries.addObject();
            text(item, "key", entry.key());
            text(item, "value", entry.value());
            item.put("version", entry.version());
        }
        HttpReply reply = HttpReply.json(200, entries).header("Paxlog-More", Boolean.toString(page.more()));
        if (page.more() && !page.entries().isEmpty()) {
            byte[] last = page.entries().get(page.entries().size() - 1).key();
            reply.header("Paxlog-Next-After", Urls.encode(last));
        }
        return reply;
    }

    /** {@code "name": text} if the bytes are UTF-8, else {@code "name": base64, "nameBase64": true}. */
    private static void text(ObjectNode item, String name, byte[] bytes) {
        String text = Urls.utf8OrNull(bytes);
        if (text != null) {
            item.put(name, text);
        } else {
            item.put(name, Urls.base64(bytes)).put(name + "Base64", true);
        }
    }

    private static HttpReply conditionOrRefusal(KvResult result) {
        if (result instanceof KvResult.ConditionFailed failed) {
            ObjectNode body = HttpReply.errorBody("precondition_failed", failed.currentVersion() == 0
                    ? "the key does not exist" : "the key's version is " + failed.currentVersion());
            return HttpReply.json(412, body.put("currentVersion", failed.currentVersion()));
        }
        if (result instanceof KvResult.Rejected rejected) {
            return switch (rejected.code()) {
                case KEY_TOO_LARGE -> HttpReply.error(413, "key_too_large", rejected.message());
                case VALUE_TOO_LARGE -> HttpReply.error(413, "value_too_large", rejected.message());
                case STORE_FULL -> HttpReply.error(507, "store_full", rejected.message());
                case MALFORMED, INVALID_ARGUMENT -> HttpReply.error(400, "invalid", rejected.message());
            };
        }
        return unexpected(result);
    }

    private static HttpReply unexpected(KvResult result) {
        return HttpReply.error(502, "bad_result", "unexpected kv result " + result);
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** {@code "12"}, {@code W/"12"} or {@code 12} to 12; 0 if it is none of those. */
    static long version(String header) {
        String text = header.trim();
        if (text.startsWith("W/")) {
            text = text.substring(2);
        }
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            text = text.substring(1, text.length() - 1);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static HttpReply badVersion(String header, String value) {
        return HttpReply.error(400, "bad_precondition", header + ": " + value + " is not a version (\"<version>\", as in ETag)");
    }

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
