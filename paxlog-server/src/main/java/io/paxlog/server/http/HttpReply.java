package io.paxlog.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.CommandRejectedException;
import io.paxlog.client.NoQuorumException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.QueryTimeoutException;
import io.paxlog.client.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One HTTP response, before Netty sees it: status, extra headers, body and its content type.
 *
 * <p>Errors are JSON {@code {"error": "<code>", "message": "<for people>"}}, plus fields that help (a
 * holder, a current version). {@link #failure} is the one place client-library failures become statuses:
 * no leader, no quorum or unavailable: 503 with {@code Retry-After}; outcome unknown (a timeout, a server
 * stopping mid-command): 504 with {@code "error": "outcome_unknown"}; a read that timed out: 504
 * {@code "timeout"} (nothing changed); refused by the cluster: 400.
 *
 * <p>Public for {@link ServiceRoutes}. {@link #header} adds to the reply it is called on, so build a new
 * reply per response.
 */
public record HttpReply(int status, Map<String, String> headers, byte[] body, String contentType) {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String JSON_TYPE = "application/json";
    /** Seconds a client should wait before retrying a 503: about one election. */
    public static final String RETRY_AFTER_SECONDS = "1";

    public static HttpReply json(int status, Object body) {
        try {
            return new HttpReply(status, new LinkedHashMap<>(), JSON.writeValueAsBytes(body), JSON_TYPE);
        } catch (JsonProcessingException e) {
            throw new AssertionError("a JSON tree always serializes", e);
        }
    }

    public static HttpReply bytes(int status, byte[] body, String contentType) {
        return new HttpReply(status, new LinkedHashMap<>(), body, contentType);
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static ObjectNode errorBody(String error, String message) {
        return object().put("error", error).put("message", message);
    }

    public static HttpReply error(int status, String error, String message) {
        return json(status, errorBody(error, message));
    }

    public HttpReply header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The response for a command that failed with {@code failure} (as thrown by the client library). */
    public static HttpReply failure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof NoQuorumException) {
            return error(503, "no_quorum", cause.getMessage()
                    + " (a write may or may not have been applied; retry with the same Idempotency-Key to be sure)")
                    .header("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (cause instanceof OutcomeUnknownException) {
            return error(504, "outcome_unknown", "the outcome is unknown: the request may or may not have taken "
                    + "effect (" + cause.getMessage() + ")");
        }
        if (cause instanceof QueryTimeoutException) {
            return error(504, "timeout", "no answer in time; a read changes nothing, so asking again is safe ("
                    + cause.getMessage() + ")");
        }
        if (cause instanceof CommandRejectedException) {
            return error(400, "rejected", cause.getMessage());
        }
        if (cause instanceof UnavailableException || cause instanceof CommandNotAppliedException) {
            return error(503, "unavailable", cause.getMessage()).header("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (cause instanceof Forwarder.TooManyIdempotentRequests) {
            return error(503, "busy", cause.getMessage()).header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return error(500, "internal", cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
}
