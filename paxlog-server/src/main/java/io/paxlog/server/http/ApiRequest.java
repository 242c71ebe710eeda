package io.paxlog.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;

/**
 * A decoded HTTP request, as the routes see it: no Netty buffers (the body is copied out), so a route
 * may finish on another thread. Public for {@link ServiceRoutes}.
 *
 * @param method the HTTP method, upper case
 * @param path   the request target's path, still percent-encoded ({@link Urls#decode})
 * @param query  the query parameters, decoded to bytes (the first of a repeated name wins)
 */
public record ApiRequest(String method, String path, Map<String, byte[]> query, HttpHeaders headers, byte[] body) {

    /** The header's value, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The {@code Idempotency-Key} header, or null. */
    public String idempotencyKey() {
        return header("Idempotency-Key");
    }
}
