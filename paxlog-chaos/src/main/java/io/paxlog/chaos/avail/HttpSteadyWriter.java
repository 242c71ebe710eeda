package io.paxlog.chaos.avail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.run.Recorder;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Steady writes through one server's HTTP port: {@code PUT /v1/kv/{key}} with an {@code Idempotency-Key}
 * (the value, unique in the run), sent again to the same port after any answer that leaves the outcome
 * unknown (504, 500, a connection lost after sending, no answer within the attempt timeout): the key makes
 * every repeat the same log command, applied once, answered as the first was. The README's "Failures"
 * say which answers mean "not applied": 503 {@code unavailable} or {@code busy}, 429, 400, 413, and no
 * connection at all.
 */
final class HttpSteadyWriter extends SteadyWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than the server's own forwarding timeout (5 s), so the server's 504 normally comes first. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(7);

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    HttpSteadyWriter(int client, String label, String base, Recorder<RegisterModel.Input, RegisterModel.Output> recorder,
            Duration interval, int maxInFlight) {
        super(client, label, recorder, interval, maxInFlight);
        this.base = base;
    }

    @Override
    Attempt attempt(String key, String value, int attemptNumber) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).timeout(ATTEMPT_TIMEOUT)
                .header("Idempotency-Key", value).PUT(HttpRequest.BodyPublishers.ofString(value)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Attempt.NotApplied("no connection (" + e.getClass().getSimpleName() + ")"); // nothing left
        } catch (IOException e) {
            return new Attempt.Unknown("sent, no answer (" + e.getClass().getSimpleName() + ")");
        }
        int status = response.statusCode();
        if (status == 200) {
            try {
                return new Attempt.Applied(JSON.readTree(response.body()).path("version").asLong());
            } catch (IOException e) {
                return new Attempt.Applied(-1); // applied, says the status; the version is only for duplicates
            }
        }
        String error = "";
        try {
            error = JSON.readTree(response.body()).path("error").asText();
        } catch (IOException e) {
            // no JSON body: the status alone decides
        }
        if (status == 503 && ("unavailable".equals(error) || "busy".equals(error))
                || status == 429 || status == 400 || status == 413) {
            return new Attempt.NotApplied(status + " " + error);
        }
        return new Attempt.Unknown(status + " " + error); // 504 outcome_unknown, 500, 503 no_quorum
    }

    @Override
    boolean retriesUnknown() {
        return true;
    }

    @Override
    void closeTransport() {
        // java.net.http keeps no resources to release (its pool ends with the client)
    }
}
