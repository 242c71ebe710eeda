package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's exit statuses follow the three outcomes, whatever the HTTP answer: applied (0), definitely
 * not applied (2 refused, 4 not done), outcome unknown (3, writes only: a read never "may have taken
 * effect"). Against a stand-in HTTP server in this JVM that answers each path as told, so every answer
 * the real API gives (and some a proxy might) is tried; and the kv commands' exact bytes in and out.
 */
class HttpExitStatusTest {

    private record Run(int status, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    /** What the stand-in answers: status, body; by method and path. */
    private record Canned(int status, String body) {}

    @TempDir
    Path dir;

    private HttpServer server;
    private String address;
    private final Map<String, Canned> answers = new ConcurrentHashMap<>();
    private final Map<String, byte[]> received = new ConcurrentHashMap<>();
    /** Held by a request to /slow until the test ends: an answer that never comes in time. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::answer);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        address = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
        received.put(key, exchange.getRequestBody().readAllBytes());
        if (exchange.getRequestURI().getRawPath().equals("/v1/status")) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Canned canned = answers.getOrDefault(key, new Canned(500, "{\"error\":\"internal\",\"message\":\"unscripted\"}"));
        byte[] body = canned.body().getBytes(StandardCharsets.ISO_8859_1);
        exchange.getResponseHeaders().add("ETag", "\"7\"");
        exchange.sendResponseHeaders(canned.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String error(String code) {
        return "{\"error\":\"" + code + "\",\"message\":\"m\"}";
    }

    @Test
    void aWriteWhoseOutcomeIsUnknownNeverExitsAsNotDone() {
        answers.put("PUT /v1/kv/k", new Canned(504, error("outcome_unknown")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
        // A 503 that is not this API's "not applied" (a proxy's, a server going away mid-write) may have written.
        answers.put("PUT /v1/kv/k", new Canned(503, "<html>upstream gone</html>"));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
        answers.put("PUT /v1/kv/k", new Canned(502, "bad gateway"));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
        answers.put("DELETE /v1/kv/k", new Canned(500, error("internal")));
        assertThat(run("kv", "del", "--servers", address, "k").status()).isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
        answers.put("POST /v1/locks/l", new Canned(504, error("outcome_unknown")));
        assertThat(run("lock", "acquire", "--servers", address, "l", "--owner", "o").status())
                .isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
    }

    @Test
    void aWriteDefinitelyNotAppliedExitsNotDoneOrRefused() {
        answers.put("PUT /v1/kv/k", new Canned(503, error("unavailable")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        answers.put("PUT /v1/kv/k", new Canned(503, error("busy")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        answers.put("PUT /v1/kv/k", new Canned(429, error("too_many_connections")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        answers.put("PUT /v1/kv/k", new Canned(400, error("rejected")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_USAGE);
        answers.put("PUT /v1/kv/k", new Canned(413, error("value_too_large")));
        assertThat(run("kv", "put", "--servers", address, "k", "v").status()).isEqualTo(HttpOptions.EXIT_USAGE);
    }

    @Test
    void anAcquireSaysWhenItsLeaseWasLostAndWhenItsLeaseCouldNotBeRead() {
        answers.put("POST /v1/locks/l", new Canned(409, "{\"error\":\"lease_lost\",\"message\":\"m\",\"lostToken\":4,"
                + "\"holder\":\"bob\",\"token\":9}"));
        Run lost = run("lock", "acquire", "--servers", address, "l", "--owner", "alice", "--idempotency-key", "k");
        assertThat(lost.status()).isEqualTo(HttpOptions.EXIT_PRECONDITION_FAILED);
        assertThat(lost.text()).isEqualTo("lease lost: token=4 ended; held by bob token=9\n");
        answers.put("POST /v1/locks/l", new Canned(409, "{\"error\":\"lease_lost\",\"message\":\"m\",\"lostToken\":4,"
                + "\"holder\":null,\"token\":null}"));
        assertThat(run("lock", "acquire", "--servers", address, "l", "--owner", "alice").text())
                .isEqualTo("lease lost: token=4 ended; nobody holds it\n");
        answers.put("POST /v1/locks/l", new Canned(409, "{\"error\":\"held\",\"message\":\"m\",\"holder\":\"bob\",\"token\":9}"));
        assertThat(run("lock", "acquire", "--servers", address, "l", "--owner", "alice").text())
                .isEqualTo("held by bob token=9\n");
        // Applied, but whether the lease still holds is unknown: outcome unknown, not "not done".
        answers.put("POST /v1/locks/l", new Canned(504, "{\"error\":\"outcome_unknown\",\"message\":\"m\","
                + "\"reason\":\"lease_unread\",\"token\":4}"));
        assertThat(run("lock", "acquire", "--servers", address, "l", "--owner", "alice").status())
                .isEqualTo(HttpOptions.EXIT_OUTCOME_UNKNOWN);
        answers.put("POST /v1/locks/l", new Canned(200, "{\"token\":4,\"expiresInMs\":null,\"ttlMs\":1000,\"renewed\":false}"));
        assertThat(run("lock", "acquire", "--servers", address, "l", "--owner", "alice").text())
                .isEqualTo("token=4 expiresInMs=unknown\n");
    }

    @Test
    void aReadThatFailsIsNeverAWriteThatMayHaveTakenEffect() {
        answers.put("GET /v1/kv/k", new Canned(504, error("timeout")));
        Run timedOut = run("kv", "get", "--servers", address, "k");
        assertThat(timedOut.status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        answers.put("GET /v1/locks/l", new Canned(503, error("unavailable")));
        assertThat(run("lock", "show", "--servers", address, "l").status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        answers.put("GET /v1/kv", new Canned(500, "oops"));
        assertThat(run("kv", "list", "--servers", address).status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        assertThat(timedOut.err() + run("kv", "list", "--servers", address).err()).doesNotContain("may or may not");
    }

    @Test
    void statusSaysTimedOutForAServerThatIsUpButSlowAndDownOnlyForOneThatRefuses() throws IOException {
        int refusing;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = probe.getLocalPort();
        }
        Run status = run("status", "--servers", address + ",127.0.0.1:" + refusing, "--timeout", "100ms");
        assertThat(status.status()).isEqualTo(HttpOptions.EXIT_UNAVAILABLE);
        List<String> rows = status.text().lines().toList();
        assertThat(rows.get(1)).startsWith(address).contains("timed out").doesNotContain("down");
        assertThat(rows.get(2)).startsWith("127.0.0.1:" + refusing).contains("down");
        assertThat(status.err()).contains("within --timeout 0.1s", "try a longer --timeout");
    }

    @Test
    void getPrintsTheValuesExactBytesAndPutTakesThemFromAFileOrStandardInput() throws IOException {
        byte[] binary = {'a', (byte) 0xff, 0, '\n', (byte) 0xc3};
        answers.put("GET /v1/kv/bin", new Canned(200, new String(binary, StandardCharsets.ISO_8859_1)));
        Run get = run("kv", "get", "--servers", address, "bin");
        assertThat(get.status()).as(get.err()).isZero();
        assertThat(get.out()).as("no U+FFFD, no newline added off a terminal").isEqualTo(binary);
        Run json = run("kv", "get", "--servers", address, "--json", "bin");
        assertThat(json.text()).contains("\"valueBase64\":true", "\"version\":7");

        answers.put("PUT /v1/kv/f", new Canned(200, "{\"version\":9}"));
        Path file = dir.resolve("value.bin");
        Files.write(file, binary);
        Run fromFile = run("kv", "put", "--servers", address, "f", "--file", file.toString());
        assertThat(fromFile.text()).isEqualTo("version=9\n");
        assertThat(received.get("PUT /v1/kv/f")).isEqualTo(binary);

        answers.put("PUT /v1/kv/s", new Canned(200, "{\"version\":10}"));
        Run fromStdin = runWithInput(binary, "kv", "put", "--servers", address, "s");
        assertThat(fromStdin.status()).as(fromStdin.err()).isZero();
        assertThat(received.get("PUT /v1/kv/s")).isEqualTo(binary);

        Run both = run("kv", "put", "--servers", address, "s", "text", "--file", file.toString());
        assertThat(both.status()).isEqualTo(HttpOptions.EXIT_USAGE);
        assertThat(both.err()).contains("not both");
    }

    private static Run run(String... args) {
        return runWithInput(new byte[0], args);
    }

    private static Run runWithInput(byte[] input, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        InputStream stdin = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(input));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new Run(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(stdin);
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
