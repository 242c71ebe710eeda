package io.paxlog.chaos.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.chaos.check.LockModel;
import io.paxlog.chaos.check.Outcome;
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
 * A client of the lock workload on the HTTP API, as owner {@code o<client>}: acquires, renews and
 * releases a few locks, each request to a server picked at random. Leases ask for a ttl far longer
 * than any run, so none expires and the {@link LockModel}, which has no expiry, applies.
 */
final class LockWorker implements Worker {

    /** Longer than any run: a lease expiring would be a transition nobody invoked. */
    static final long TTL_MS = 60L * 60 * 1000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(8);

    private final int client;
    private final String owner;
    private final Recorder<LockModel.Input, LockModel.Output> recorder;
    private final List<String> locks;
    private final List<String> httpBases;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private volatile boolean stopping;

    LockWorker(int client, Recorder<LockModel.Input, LockModel.Output> recorder, List<String> locks, long seed,
            List<String> httpBases) {
        this.client = client;
        this.owner = "o" + client;
        this.recorder = recorder;
        this.locks = locks;
        this.httpBases = httpBases;
        this.random = new Random(seed);
    }

    @Override
    public int client() {
        return client;
    }

    @Override
    public void stop() {
        stopping = true;
    }

    @Override
    public void close() {
        // nothing held beyond the HttpClient's pool, which ends with it
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                String lock = locks.get(random.nextInt(locks.size()));
                if (random.nextInt(3) == 0) {
                    release(lock);
                } else {
                    acquire(lock);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private URI uri(String lock, String query) {
        String base = httpBases.get(random.nextInt(httpBases.size()));
        return URI.create(base + "/v1/locks/" + URLEncoder.encode(lock, StandardCharsets.UTF_8)
                + query);
    }

    private void acquire(String lock) throws InterruptedException {
        String body = "{\"owner\": \"" + owner + "\", \"ttlMs\": " + TTL_MS + "}";
        HttpRequest request = HttpRequest.newBuilder(uri(lock, "")).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long invoke = recorder.now();
        Answer answer = send(request);
        LockModel.Output output = null;
        if (answer.status() == 200) {
            output = new LockModel.Granted(answer.json().path("token").asLong());
        } else if (answer.status() == 409 && answer.json().path("error").asText().equals("lease_lost")) {
            // The acquire was applied as a grant whose lease ended before the answer was made: for the
            // model, the grant (its end is a later transition this worker did not invoke).
            output = new LockModel.Granted(answer.json().path("lostToken").asLong());
        } else if (answer.status() == 409) {
            output = new LockModel.Held(answer.json().path("holder").asText(), answer.json().path("token").asLong());
        }
        record(lock, new LockModel.Acquire(owner), output, answer, invoke);
    }

    private void release(String lock) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(lock, "?owner=" + owner)).timeout(TIMEOUT).DELETE().build();
        long invoke = recorder.now();
        Answer answer = send(request);
        LockModel.Output output = null;
        if (answer.status() == 200) {
            output = new LockModel.Released(answer.json().path("token").asLong());
        } else if (answer.status() == 409) {
            output = new LockModel.NotHolder(); // not_holder or not_held: either way this owner did not hold it
        }
        record(lock, new LockModel.Release(owner), output, answer, invoke);
    }

    private void record(String lock, LockModel.Input input, LockModel.Output output, Answer answer, long invoke) {
        long complete = recorder.now();
        Outcome outcome = output != null ? Outcome.OK : answer.notApplied() ? Outcome.FAILED : Outcome.UNKNOWN;
        recorder.add(client, lock, input, output, outcome, invoke, complete);
    }

    /**
     * An HTTP answer: its status (0 if none came) and whether it says nothing was applied (no connection,
     * 503 {@code unavailable} or {@code busy}, a refusal); anything else without a result is unknown.
     */
    private record Answer(int status, JsonNode json, boolean notApplied) {}

    private Answer send(HttpRequest request) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = JSON.readTree(response.body());
            } catch (IOException e) {
                json = JSON.createObjectNode();
            }
            int status = response.statusCode();
            String error = json.path("error").asText();
            boolean notApplied = status == 400 || status == 429
                    || status == 503 && ("unavailable".equals(error) || "busy".equals(error));
            return new Answer(status, json, notApplied);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(0, JSON.createObjectNode(), true);
        } catch (IOException e) {
            return new Answer(0, JSON.createObjectNode(), false);
        }
    }
}
