package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.UnavailableException;
import io.paxlog.kv.KvCommands;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BUSY from a full queue, as a user sees it on each surface (issue 11, "Done when"), against three real kv
 * server processes whose loop queues hold one call ({@code clientQueueMax: 1}). The leader's loop thread
 * is stalled ({@link LoopPause}) with its queue full, so every further call to it is refused BUSY at
 * once, before it reaches the log: the Java client says {@link UnavailableException} (not applied), HTTP
 * 503 with {@code Retry-After}, {@code paxlog kv put} exit 4. Once the loop runs again, none of those
 * writes is in the store: "not applied" was true.
 */
class BusyOutcomeProcessTest {

    /** Tries of one probe: it is redone only when the request timeout fell between a BUSY and its retry's answer. */
    private static final int PROBE_TRIES = 3;

    @TempDir
    Path dir;

    private ProcessCluster cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFullQueueIsBusyNotAppliedOnEverySurfaceAndNoneOfThoseWritesIsInTheStore() throws Exception {
        cluster = new ProcessCluster(dir, "busy", 3, "kv", "  limits: {clientQueueMax: 1}\n");
        int leader = cluster.awaitFirstLeader();
        assertThat(cluster.send(leader, "PUT", "/v1/kv/warm", bytes("up"), Duration.ofSeconds(10)).statusCode())
                .as("a write through the leader's HTTP port before the stall").isEqualTo(200);

        UnavailableException java;
        HttpResponse<byte[]> http;
        CliRun cli;
        // The Java probe's session is opened before the stall: a client without one sends no command at
        // all (not applied, but not because of BUSY, which is what this tests).
        try (PaxlogClient probe = client(leader, Duration.ofMillis(1500))) {
            probe.call(KvCommands.put(bytes("probe-session"), bytes("v")));
        try (LoopPause pause = LoopPause.pause(cluster, leader);
                PaxlogClient filler = client(leader, Duration.ofSeconds(1))) {
            // One call waits in the stalled loop's queue, which holds one: from now on every call is BUSY.
            CompletableFuture<?> waiting = filler.submit(KvCommands.put(bytes("filler"), bytes("x")));
            awaitQueueFull(leader);

            java = javaProbe(probe);
            // HTTP's forwarding client gives up after its 5 s request timeout: run it beside the CLI's.
            CompletableFuture<HttpResponse<byte[]>> httpAnswer = CompletableFuture.supplyAsync(() -> {
                try {
                    return httpProbe(leader);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            cli = cliProbe(leader);
            http = httpAnswer.join();
        }
        }

        System.out.printf("BUSY labels: Java %s: %s%n  HTTP %d %s%n  CLI exit %d: %s%n", java.getClass().getSimpleName(),
                java.getMessage(), http.statusCode(), text(http), cli.status(), cli.err().trim());
        assertThat(java.getMessage()).as("the Java client's label").contains("not applied", "BUSY");

        assertThat(http.statusCode()).as("HTTP: %s", text(http)).isEqualTo(503);
        assertThat(http.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(text(http)).contains("\"error\":\"unavailable\"", "not applied", "BUSY");

        assertThat(cli.status()).as("paxlog kv put: %s", cli.err()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        assertThat(cli.err()).contains("503", "unavailable", "not applied");

        // The loop runs again: none of the writes labelled "not applied" is in the store.
        cluster.awaitLeader(cluster.all());
        for (String key : new String[] {"busy-java", "busy-http", "busy-cli"}) {
            HttpResponse<byte[]> read = cluster.send(leader, "GET", "/v1/kv/" + key, null, Duration.ofSeconds(10));
            assertThat(read.statusCode()).as("%s was labelled not applied: %s", key, text(read)).isEqualTo(404);
        }
    }

    private UnavailableException javaProbe(PaxlogClient probe) throws InterruptedException {
        Throwable last = null;
        for (int i = 0; i < PROBE_TRIES; i++) {
            {
                last = catchThrowable(() -> probe.call(KvCommands.put(bytes("busy-java"), bytes("v"))));
            }
            if (last instanceof UnavailableException unavailable) {
                return unavailable;
            }
            assertThat(last).as("a BUSY server is never 'applied' nor anything but not applied or (timed out "
                    + "mid-retry) unknown").isInstanceOf(OutcomeUnknownException.class);
        }
        throw new AssertionError("the Java client never reported the BUSY server as not applied: " + last, last);
    }

    private HttpResponse<byte[]> httpProbe(int leader) throws Exception {
        HttpResponse<byte[]> answer = null;
        for (int i = 0; i < PROBE_TRIES; i++) {
            answer = cluster.send(leader, "PUT", "/v1/kv/busy-http", bytes("v"), Duration.ofSeconds(15));
            if (answer.statusCode() != 504) {
                return answer;
            }
            assertThat(text(answer)).contains("outcome_unknown"); // the timeout fell on a retry in flight
        }
        return answer;
    }

    private CliRun cliProbe(int leader) {
        CliRun run = null;
        for (int i = 0; i < PROBE_TRIES; i++) {
            run = CliRun.run("kv", "put", "--servers", cluster.http(leader), "--timeout", "15s", "busy-cli", "v");
            if (run.status() != HttpOptions.EXIT_OUTCOME_UNKNOWN) {
                return run;
            }
        }
        return run;
    }

    private void awaitQueueFull(int leader) throws Exception {
        long deadline = System.nanoTime() + ProcessCluster.BOUND.toNanos();
        while (cluster.clientQueueDepth(leader) < 1) {
            assertThat(System.nanoTime()).as("the filler reaches the stalled loop's queue").isLessThan(deadline);
            Thread.sleep(10); // a polling interval
        }
    }

    /** A Java client that knows only {@code server}. */
    private PaxlogClient client(int server, Duration requestTimeout) {
        return PaxlogClient.builder().servers(cluster.clients(server)).clusterId(cluster.clusterId())
                .requestTimeout(requestTimeout).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
