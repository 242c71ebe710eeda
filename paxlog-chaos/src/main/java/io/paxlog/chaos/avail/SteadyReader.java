package io.paxlog.chaos.avail;

import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.run.Recorder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the writers' keys at a steady rate, each through the next server's HTTP port in turn, so a
 * value written through one server is read back through the others: what makes the register check of
 * an availability run's history mean something (a stale read after a leader change fails it). A read
 * with no answer is recorded as failed: a read changes nothing.
 *
 * <p>Threads: its own; {@link #stop} from the run's thread.
 */
final class SteadyReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final int client;
    private final List<String> bases;
    private final List<String> keys;
    private final Recorder<RegisterModel.Input, RegisterModel.Output> recorder;
    private final Duration interval;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final Thread thread;
    private volatile boolean stopping;

    SteadyReader(int client, List<String> bases, List<String> keys,
            Recorder<RegisterModel.Input, RegisterModel.Output> recorder, Duration interval) {
        this.client = client;
        this.bases = List.copyOf(bases);
        this.keys = List.copyOf(keys);
        this.recorder = recorder;
        this.interval = interval;
        this.thread = new Thread(this::loop, "pxc-reader");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try {
            for (long n = 0; !stopping; n++) {
                String key = keys.get((int) (n % keys.size()));
                // Key and port cycle at co-prime-ish strides, so every key is read through every port.
                String base = bases.get((int) ((n / keys.size() + n) % bases.size()));
                read(base, key);
                TimeUnit.NANOSECONDS.sleep(interval.toNanos()); // the rate itself
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(String base, String key) throws InterruptedException {
        long invoke = recorder.now();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).timeout(TIMEOUT).GET().build();
        RegisterModel.Input input = new RegisterModel.Read();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 || response.statusCode() == 404) {
                String value = response.statusCode() == 200 ? response.body() : null;
                recorder.add(client, key, input, new RegisterModel.ReadValue(value), Outcome.OK, invoke, recorder.now());
                return;
            }
        } catch (IOException e) {
            // no answer: recorded as failed below
        }
        recorder.add(client, key, input, null, Outcome.FAILED, invoke, recorder.now());
    }

    void stop() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
