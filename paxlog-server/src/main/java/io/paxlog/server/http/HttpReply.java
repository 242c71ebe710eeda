package io.paxlog.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.CommandRejectedException;
import io.paxlog.client.KeyReusedException;
import io.paxlog.client.SessionExpiredException;
import io.paxlog.client.NoQuorumException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClientException;
import io.paxlog.client.QueryTimeoutException;
import io.paxlog.client.ServerErrorException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One HTTP response, before Netty sees it: status, extra headers, body and its content type.
 *
 * <p>Errors are JSON {@code {"error": "<code>", "message": "<for people>"}}, plus fields that help (a
 * holder, a current version). {@link #failure} (writes) and {@link #readFailure} (reads) are the one place
 * client-library failures become statuses, by what the caller may assume: not applied (unavailable, busy):
 * 503 with {@code Retry-After}; outcome unknown (a timeout, no quorum, a server error): 504
 * {@code "error": "outcome_unknown"} with a {@code reason}; refused by the cluster: 400; a read that timed
 * out: 504 {@code "timeout"} (nothing changed). The README's outcome table is this.
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

    /**
     * The response for a write (a command through the log) that failed with {@code failure}, as thrown by
     * the client library. Three outcomes, never confused: definitely not applied is 503 with
     * {@code Retry-After} (asking again is safe); refused for good is 4xx; outcome unknown is 504
     * {@code outcome_unknown}, without {@code Retry-After}, never 503, which generic clients and proxies
     * read as "not processed" and may resend on their own, applying the write twice.
     */
    public static HttpReply failure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof OutcomeUnknownException unknown) {
            return outcomeUnknown(unknown);
        }
        if (cause instanceof CommandNotAppliedException notApplied) {
            return notApplied(notApplied);
        }
        // Anything else came from a route or this layer, not from the cluster's answer: the write may have
        // been sent before it failed, so nothing here may claim it was not applied.
        return error(500, "internal", "internal error (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + "); the request may or may not have taken effect: retry with the same Idempotency-Key, or read to find out");
    }

    /**
     * The response for a read (a read-only query, never logged) that failed with {@code failure}. A read
     * changes nothing, so whatever went wrong, nothing "may have taken effect": asking again is safe.
     */
    public static HttpReply readFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof QueryTimeoutException) {
            return error(504, "timeout", "no answer in time; a read changes nothing, so asking again is safe ("
                    + cause.getMessage() + ")");
        }
        if (cause instanceof CommandRejectedException rejected) {
            return error(400, "rejected", rejected.serverMessage());
        }
        if (cause instanceof PaxlogClientException) {
            return error(503, "unavailable", "the read got no answer; a read changes nothing, so asking again is safe ("
                    + cause.getMessage() + ")").header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return error(500, "internal", "internal error (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + "); a read changes nothing, so asking again is safe");
    }

    private static HttpReply outcomeUnknown(OutcomeUnknownException unknown) {
        // No leader for the client's no-leader timeout: a deposed leader may have logged the write, and a
        // later leader may still choose it.
        String reason = unknown instanceof NoQuorumException ? "no_quorum"
                : unknown instanceof ServerErrorException ? "server_error" : "timeout";
        return json(504, errorBody("outcome_unknown", "the outcome is unknown: the write may or may not have taken "
                + "effect, and may still take effect later (" + unknown.getMessage() + "). To find out, send it again "
                + "with the same Idempotency-Key (it applies once and answers as the first did), or read the state; "
                + "resending it without one may apply it twice").put("reason", reason));
    }

    private static HttpReply notApplied(CommandNotAppliedException notApplied) {
        if (notApplied instanceof CommandRejectedException rejected) {
            return error(400, "rejected", "refused by the cluster, not applied: " + rejected.serverMessage());
        }
        if (notApplied instanceof KeyReusedException reused) {
            // Refused for good under this key: asking again with the same key and body changes nothing.
            return error(422, "idempotency_key_reused", "not applied: this Idempotency-Key was used before with "
                    + "another request body (" + reused.serverMessage() + "); use a new key for a new request");
        }
        if (notApplied instanceof SessionExpiredException) {
            return error(503, "session_expired", "not applied: " + notApplied.getMessage() + "; asking again is safe")
                    .header("Retry-After", RETRY_AFTER_SECONDS);
        }
        // Unavailable, or never sent (no room, client closed), or a query's timeout: nothing was applied.
        return error(503, "unavailable", "not applied: " + notApplied.getMessage() + "; asking again is safe")
                .header("Retry-After", RETRY_AFTER_SECONDS);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
