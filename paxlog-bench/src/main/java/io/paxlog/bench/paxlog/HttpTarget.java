package io.paxlog.bench.paxlog;

import io.paxlog.bench.Target;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes through the HTTP API ({@code PUT /v1/kv/<key>}) of the leader found at start, with the JDK's
 * HTTP/1.1 client: one connection per operation in flight (kept alive), as many clients of a web API
 * would. The server's limit of connections per client address (64 by default) bounds the in-flight count.
 * No retries: what the status says is the outcome (503 {@code unavailable} or {@code busy}: not applied;
 * anything else that is not 200: unknown).
 */
final class HttpTarget implements Target {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** An answer that was not 200, with what it means. */
    static final class HttpFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Failure failure;

        HttpFailure(int status, String body, Failure failure) {
            super("HTTP " + status + ": " + body, null, false, false);
            this.failure = failure;
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    HttpTarget(String base) {
        this.base = base;
    }

    @Override
    public CompletableFuture<Boolean> put(byte[] key, byte[] value) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + new String(key, StandardCharsets.US_ASCII)))
                .timeout(TIMEOUT).PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            int status = response.statusCode();
            if (status == 200) {
                return true;
            }
            boolean notApplied = status == 503 && (response.body().contains("\"unavailable\"") || response.body().contains("\"busy\""))
                    || status == 400 || status == 413 || status == 429;
            throw new HttpFailure(status, response.body(), notApplied ? Failure.NOT_APPLIED : Failure.UNKNOWN);
        });
    }

    @Override
    public CompletableFuture<Boolean> get(byte[] key) {
        throw new UnsupportedOperationException("the HTTP workload only writes");
    }

    @Override
    public Failure classify(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpFailure http) {
            return http.failure;
        }
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            return Failure.NOT_APPLIED; // no connection: the request never left
        }
        return Failure.UNKNOWN;
    }

    @Override
    public void close() {
        // java.net.http's client holds no resources to release before Java 21; its threads are daemons
    }
}
