package io.paxlog.chaos.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * A worker on the HTTP API, each request to a server picked at random (a follower forwards it), with no
 * retries and no Idempotency-Key: what the answer's status says is what is recorded (see the README's
 * "Failures": 503 {@code unavailable} not applied, 503 {@code no_quorum} and 504 unknown).
 */
final class HttpWorker extends KvWorker {

    @Override
    public void close() {
        // java.net.http keeps no resources a worker must release (its pool ends with the client)
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(8);

    private final List<String> httpBases;
    private final Random pick;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    HttpWorker(int client, Recorder<RegisterModel.Input, RegisterModel.Output> recorder, List<String> keys,
            long seed, List<String> httpBases) {
        super(client, recorder, keys, seed);
        this.httpBases = httpBases;
        this.pick = new Random(seed ^ 0x5DEECE66DL);
    }

    private URI uri(String key) {
        String base = httpBases.get(pick.nextInt(httpBases.size()));
        return URI.create(base + "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    @Override
    Seen read(String key) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(key)).timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                String etag = response.headers().firstValue("ETag").orElseThrow();
                return new Seen(response.body(), Long.parseLong(etag.replace("\"", "")));
            }
            return response.statusCode() == 404 ? new Seen(null, 0) : null;
        } catch (IOException e) {
            return null; // no answer: a read changed nothing
        }
    }

    @Override
    WriteAnswer write(String key, String value, long expectVersion) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(key)).timeout(TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofString(value));
        if (expectVersion == 0) {
            request.header("If-None-Match", "*");
        } else if (expectVersion > 0) {
            request.header("If-Match", "\"" + expectVersion + "\"");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new WriteAnswer.NotDone(Outcome.FAILED); // no connection: the request never left
        } catch (IOException e) {
            return new WriteAnswer.NotDone(Outcome.UNKNOWN); // sent, no answer: it may have been applied
        }
        int status = response.statusCode();
        if (status == 200) {
            return new WriteAnswer.Done(json(response).path("version").asLong());
        }
        if (status == 412) {
            return new WriteAnswer.Mismatch();
        }
        if (status == 503) {
            String error = json(response).path("error").asText();
            return new WriteAnswer.NotDone("unavailable".equals(error) || "busy".equals(error) ? Outcome.FAILED
                    : Outcome.UNKNOWN);
        }
        if (status == 400 || status == 413 || status == 429) {
            return new WriteAnswer.NotDone(Outcome.FAILED); // refused before anything was done
        }
        return new WriteAnswer.NotDone(Outcome.UNKNOWN); // 504, a 500: nothing says it was not applied
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
