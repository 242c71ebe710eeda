package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import io.paxlog.client.UnavailableException;
import io.paxlog.kv.KvCommands;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labels a user sees on each surface (Java client, HTTP, {@code paxlog kv put}) when the leader dies
 * with their writes in hand, and when three of five servers are down (issue 11, "Done when"), on five
 * real kv server processes, one cluster for both.
 *
 * <p><b>Leader killed mid-request.</b> The leader's loop is stalled ({@link LoopPause}) so that every write
 * sent to it waits in its queue, provably received and unanswered (its queue depth says so), and then
 * the process is killed with SIGKILL. Each write had reached a server that might have logged it, so its
 * label must be "applied" (a retry with the same sequence on the next leader) or "outcome unknown", never
 * "not applied"; a write labelled applied must be in the store.
 *
 * <p><b>Three of five down.</b> A new write to the two survivors, which answer that they do not lead, is
 * outcome unknown (a server that answers "not leader" may be a deposed leader with the write in its log:
 * the client cannot tell, and says so); one that could reach no server at all, so that nothing was sent,
 * is not applied. That is the documented rule: "not applied" only when nothing was sent to a server that
 * could have taken it.
 */
class LeaderLossOutcomeProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_WAIT = Duration.ofSeconds(30);

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
    void aWriteTheDeadLeaderHeldIsAppliedOrUnknownAndWithThreeOfFiveDownNotAppliedOnlyWhenNothingWasSent()
            throws Exception {
        // Elections only after 8-9 s of silence: the stalled leader stays leader while the writes reach it,
        // however slowly they do on a loaded machine, and every retry of theirs (the forwarding clients give
        // up on a silent server after 2 s) is pointed back at it.
        cluster = new ProcessCluster(dir, "loss", 5, "kv", 8000, 9000, "");
        int leader = cluster.awaitFirstLeader();
        int follower = leader % 5 + 1;
        for (int id : cluster.all()) {
            assertThat(cluster.send(id, "PUT", "/v1/kv/warm-" + id, bytes("up"), HTTP_WAIT).statusCode())
                    .as("a write through server %d before the kill", id).isEqualTo(200);
        }

        // ---- The leader is killed with five writes in its queue.
        List<String> applied = new ArrayList<>();
        try (PaxlogClient brief = javaClient(Duration.ofSeconds(6), Duration.ofSeconds(1), cluster.all());
                PaxlogClient patient = javaClient(Duration.ofSeconds(40), Duration.ofSeconds(35), cluster.all())) {
            brief.leaderHint(leader);
            patient.leaderHint(leader);
            // Each opens its session first (a register through the log): a client without one sends no
            // command, and a command never sent is simply not applied, which is not what this tests.
            brief.call(put("kill-java-brief-session"));
            patient.call(put("kill-java-patient-session"));
            CompletableFuture<Result> briefWrite;
            CompletableFuture<Result> patientWrite;
            CompletableFuture<HttpResponse<byte[]>> httpViaLeader;
            CompletableFuture<HttpResponse<byte[]>> httpViaFollower;
            CompletableFuture<CliRun> cliViaLeader;
            try (LoopPause pause = LoopPause.pause(cluster, leader)) {
                // The CLI first: it is the slowest to get going.
                cliViaLeader = CompletableFuture.supplyAsync(() -> CliRun.run("kv", "put", "--servers",
                        cluster.http(leader), "--timeout", "30s", "kill-cli-leader", "v"));
                awaitQueueDepth(leader, 1);
                briefWrite = brief.submit(put("kill-java-brief"));
                patientWrite = patient.submit(put("kill-java-patient"));
                httpViaLeader = http(leader, "kill-http-leader");
                httpViaFollower = http(follower, "kill-http-follower");
                awaitQueueDepth(leader, 5);
                cluster.kill9(leader);
            }

            Throwable briefOutcome = outcome(briefWrite);
            assertThat(briefOutcome instanceof CommandNotAppliedException).as("a write the dead leader held, with a short "
                    + "no-leader wait: applied or unknown, never not applied (%s)", label(briefOutcome)).isFalse();
            if (briefOutcome == null) {
                applied.add("kill-java-brief");
            } else {
                assertThat(briefOutcome).isInstanceOf(OutcomeUnknownException.class);
                assertThat(briefOutcome.getMessage()).contains("outcome unknown");
            }
            assertThat(outcome(patientWrite)).as("a client that waits for the next leader: its retry, the same command, "
                    + "is applied there").isNull();
            applied.add("kill-java-patient");

            // Through the killed server's own port the connection dies with it: no status at all. (Had the
            // stall outlasted the forwarding client's 2 s attempt timeout, its retry could have been applied
            // by a new leader and answered before the kill: 200 is allowed, a "not applied" 503 never.)
            Throwable viaLeader = outcome(httpViaLeader);
            if (viaLeader == null) {
                HttpResponse<byte[]> answered = httpViaLeader.join();
                assertThat(answered.statusCode()).as("HTTP through the server killed later: %s", text(answered))
                        .isIn(200, 504);
                if (answered.statusCode() == 200) {
                    applied.add("kill-http-leader");
                }
            } else {
                assertThat(viaLeader).as("HTTP through the killed server: the connection dies, no status")
                        .isInstanceOf(IOException.class);
            }

            HttpResponse<byte[]> viaFollower = httpViaFollower.join();
            assertThat(viaFollower.statusCode()).as("HTTP through a follower: %s", text(viaFollower)).isIn(200, 504);
            if (viaFollower.statusCode() == 200) {
                applied.add("kill-http-follower");
            } else {
                assertOutcomeUnknown(viaFollower);
            }

            CliRun cli = cliViaLeader.join();
            assertThat(cli.status()).as("paxlog kv put through the killed server: %s", cli.err())
                    .isIn(HttpOptions.EXIT_OUTCOME_UNKNOWN, HttpOptions.EXIT_OK); // as for HTTP above: never 4
            if (cli.status() == HttpOptions.EXIT_OUTCOME_UNKNOWN) {
                assertThat(cli.err()).contains("may or may not have taken effect", "--idempotency-key");
            } else {
                applied.add("kill-cli-leader");
            }
            System.out.printf("leader %d killed mid-request: Java brief %s, Java patient applied, HTTP via leader %s,"
                    + " HTTP via follower %d %s, CLI via leader exit %d: %s%n", leader, label(briefOutcome), viaLeader,
                    viaFollower.statusCode(), text(viaFollower), cli.status(), cli.err().trim());
        }
        int[] survivors = Arrays.stream(cluster.all()).filter(id -> id != leader).toArray();
        int next = cluster.awaitLeader(survivors);
        for (String key : applied) {
            HttpResponse<byte[]> read = cluster.send(next, "GET", "/v1/kv/" + key, null, HTTP_WAIT);
            assertThat(read.statusCode()).as("%s was labelled applied", key).isEqualTo(200);
        }

        // ---- Three of five down: the dead leader, the next one, and one more.
        int third = Arrays.stream(survivors).filter(id -> id != next).findFirst().orElseThrow();
        int[] down = {leader, next, third};
        int[] up = Arrays.stream(cluster.all()).filter(id -> Arrays.stream(down).noneMatch(d -> d == id)).toArray();
        int live = up[0];
        try (PaxlogClient everyone = javaClient(Duration.ofSeconds(5), Duration.ofSeconds(1), cluster.all());
                PaxlogClient deadOnly = javaClient(Duration.ofSeconds(5), Duration.ofSeconds(1), down)) {
            // Its session is open before the servers die, so its write is sent (and reaches survivors).
            everyone.call(put("down-java-session"));
            cluster.kill9(next);
            cluster.kill9(third);
            CompletableFuture<Result> toEveryone = everyone.submit(put("down-java"));
            CompletableFuture<Result> toTheDead = deadOnly.submit(put("down-java-dead"));
            CompletableFuture<HttpResponse<byte[]>> viaSurvivor = http(live, "down-http");
            CliRun cli = CliRun.run("kv", "put", "--servers", cluster.http(live), "--timeout", "30s", "down-cli", "v");
            CliRun cliDead = CliRun.run("kv", "put", "--servers", String.join(",", cluster.http(down[0]),
                    cluster.http(down[1]), cluster.http(down[2])), "down-cli-dead", "v");

            Throwable reached = outcome(toEveryone);
            assertThat(reached).as("a write the survivors were asked to take, answering they do not lead")
                    .isInstanceOf(OutcomeUnknownException.class);
            assertThat(reached.getMessage()).contains("outcome unknown");
            Throwable unsent = outcome(toTheDead);
            assertThat(unsent).as("a write no server could be reached for").isInstanceOf(UnavailableException.class);
            assertThat(unsent.getMessage()).contains("not applied: no server took it");

            HttpResponse<byte[]> answer = viaSurvivor.join();
            assertThat(answer.statusCode()).as("HTTP through a survivor: %s", text(answer)).isEqualTo(504);
            assertOutcomeUnknown(answer);

            assertThat(cli.status()).as("paxlog kv put through a survivor: %s", cli.err())
                    .isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
            assertThat(cli.err()).contains("504", "outcome_unknown");
            assertThat(cliDead.status()).as("paxlog kv put with only dead servers: %s", cliDead.err())
                    .isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
            assertThat(cliDead.err()).contains("nothing was sent");
            System.out.printf("three of five down: Java %s / dead-only %s; HTTP %d %s; CLI exit %d: %s; dead-only exit %d: %s%n",
                    label(reached), label(unsent), answer.statusCode(), text(answer), cli.status(), cli.err().trim(),
                    cliDead.status(), cliDead.err().trim());
        }
    }

    /** 504 outcome_unknown, never 503, no Retry-After, and it says how to find out. */
    private static void assertOutcomeUnknown(HttpResponse<byte[]> response) throws IOException {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).isEqualTo("outcome_unknown");
        assertThat(body.path("reason").asText()).isIn("no_quorum", "timeout");
        assertThat(body.path("message").asText()).contains("may or may not have taken effect", "Idempotency-Key");
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }

    private void awaitQueueDepth(int server, int depth) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
        int seen;
        while ((seen = cluster.clientQueueDepth(server)) < depth) {
            assertThat(System.nanoTime()).as("%d writes wait in server %d's stalled loop queue (%d so far)", depth, server,
                    seen).isLessThan(deadline);
            Thread.sleep(5); // a polling interval
        }
    }

    private CompletableFuture<HttpResponse<byte[]>> http(int server, String key) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return cluster.send(server, "PUT", "/v1/kv/" + key, bytes("v"), HTTP_WAIT);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Null if the future succeeded, else what it failed with. */
    private static Throwable outcome(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static String label(Throwable outcome) {
        return outcome == null ? "applied" : outcome.getClass().getSimpleName() + " (" + outcome.getMessage() + ")";
    }

    private PaxlogClient javaClient(Duration requestTimeout, Duration noLeaderTimeout, int... servers) {
        return PaxlogClient.builder().servers(cluster.clients(servers)).clusterId(cluster.clusterId())
                .requestTimeout(requestTimeout).noLeaderTimeout(noLeaderTimeout).attemptTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static byte[] put(String key) {
        return KvCommands.put(bytes(key), bytes("v"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
