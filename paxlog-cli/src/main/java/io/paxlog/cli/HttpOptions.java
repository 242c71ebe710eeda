package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.server.config.DemoCluster;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What the {@code kv}, {@code lock} and {@code status} commands share: where the servers' HTTP APIs are,
 * how long to wait, {@code --json}, and the exit statuses that tell a script what happened.
 *
 * <p>A request goes to the first server that accepts a connection (any server forwards to the leader);
 * only a failure to connect moves on to the next, since then nothing was sent.
 */
final class HttpOptions {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    /** A write's outcome is unknown (504 outcome_unknown, no answer in time): it may or may not have taken effect. */
    static final int EXIT_OUTCOME_UNKNOWN = 3;
    /** Definitely not done (503, 429, no server reachable, a read without an answer): asking again is safe. */
    static final int EXIT_UNAVAILABLE = 4;
    /** 404: no such key, or nobody holds the lock. */
    static final int EXIT_NOT_FOUND = 5;
    /** 412 (a version did not match, the key exists) or 409 (another owner holds the lock). */
    static final int EXIT_PRECONDITION_FAILED = 6;

    static final String EXIT_HELP = "Exit status: 0 done; 1 other failure; 2 usage or a request the server refused"
            + " (400, 405, 413, 505: not applied); 3 a write's outcome is unknown (504 outcome_unknown, no answer in"
            + " time, a 5xx mid-write: it may or may not have taken effect; retry with the same --idempotency-key);"
            + " 4 not done (503, 429, no server reachable, a read without an answer: asking again is safe);"
            + " 5 not found (404); 6 precondition failed (412) or held by another owner (409).";

    /** The error codes of a 503 this API sends, each meaning "not applied" ({@code HttpReply}). */
    private static final java.util.Set<String> NOT_APPLIED_503 = java.util.Set.of("unavailable", "busy", "session_expired");

    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--servers", paramLabel = "LIST",
            description = "The servers' HTTP addresses, host:port,host:port. Default: the demo cluster's on --base-port.")
    String servers;

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "" + DemoCluster.BASE_PORT_DEFAULT,
            description = "The demo cluster's base port, as given to `paxlog demo --base-port`: its HTTP APIs listen"
                    + " on 127.0.0.1:P+i (default: ${DEFAULT-VALUE}, so 8081-8085).")
    int basePort;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = JournalCommand.DurationConverter.class,
            description = "How long each request may take, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "JSON on standard output, one object per line, for scripts.")
    boolean json;

    /** The HTTP base URIs, in the order to try them. @throws IllegalArgumentException on a bad list */
    List<String> baseUris() {
        List<String> uris = new ArrayList<>();
        if (servers == null) {
            DemoCluster.requireValidBasePort(basePort);
            for (int id = 1; id <= DemoCluster.SERVERS; id++) {
                uris.add("http://127.0.0.1:" + DemoCluster.httpPort(basePort, id));
            }
            return uris;
        }
        for (String item : servers.split(",")) {
            String address = item.trim();
            int equals = address.indexOf('=');
            if (equals >= 0) {
                address = address.substring(equals + 1);
            }
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1) {
                throw new IllegalArgumentException("bad server address '" + item + "': expected host:port");
            }
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in server address '" + item + "'");
            }
            uris.add("http://" + address);
        }
        return uris;
    }

    HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(min(timeout, Duration.ofSeconds(2))).build();
    }

    /** The answer of the first server that takes the request. @throws NoServerAccepted if none does */
    HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpClient client = client();
        IOException last = null;
        for (String base : baseUris()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            try {
                return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                last = e; // never sent: the next server may take it
            }
        }
        throw new NoServerAccepted("no server accepted a connection (" + String.join(", ", baseUris()) + ")"
                + (last == null ? "" : ": " + last), last);
    }

    /**
     * Prints the failure of a response that is not a success and returns the exit status it means. A write
     * (anything but GET) that may have taken effect is never reported as "not done": a 5xx that is not
     * this API's own "not applied" (a proxy's, a server stopping mid-request) exits 3, outcome unknown.
     */
    static int failed(String command, HttpResponse<byte[]> response) {
        String message = new String(response.body(), StandardCharsets.UTF_8);
        String code = "";
        try {
            JsonNode error = JSON.readTree(response.body());
            if (error != null && error.has("message")) {
                code = error.path("error").asText();
                message = code + ": " + error.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: print it as it is
        }
        System.err.println("paxlog " + command + ": " + response.statusCode() + " " + message.replaceAll("\\s+", " "));
        boolean write = !response.request().method().equals("GET");
        int status = response.statusCode();
        if (status == 404) {
            return EXIT_NOT_FOUND;
        }
        if (status == 409 || status == 412) {
            return EXIT_PRECONDITION_FAILED;
        }
        if (status == 400 || status == 405 || status == 413 || status == 414 || status == 422 || status == 431
                || status == 505) {
            return EXIT_USAGE; // refused as it was sent: not applied
        }
        if (status == 429 || (status == 503 && NOT_APPLIED_503.contains(code))) {
            return EXIT_UNAVAILABLE;
        }
        if (status >= 500) {
            return write ? EXIT_OUTCOME_UNKNOWN : EXIT_UNAVAILABLE; // a read changes nothing
        }
        return EXIT_FAILED;
    }

    /**
     * An exception while talking to the servers, as a line and an exit status. {@code write}: the request
     * was a write, which may have taken effect once sent; a read never did.
     */
    static int failed(String command, Exception e, boolean write) {
        String may = write ? "; the write may or may not have taken effect (retry with the same --idempotency-key)"
                : "; a read changes nothing, asking again is safe";
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            System.err.println("paxlog " + command + ": interrupted" + may);
            return write ? EXIT_OUTCOME_UNKNOWN : EXIT_FAILED;
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            System.err.println("paxlog " + command + ": no answer within --timeout" + may);
            return write ? EXIT_OUTCOME_UNKNOWN : EXIT_UNAVAILABLE;
        }
        if (e instanceof IllegalArgumentException) {
            System.err.println("paxlog " + command + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        if (e instanceof NoServerAccepted) {
            System.err.println("paxlog " + command + ": " + e.getMessage() + " (nothing was sent)");
            return EXIT_UNAVAILABLE;
        }
        System.err.println("paxlog " + command + ": " + e + may);
        return write ? EXIT_OUTCOME_UNKNOWN : EXIT_FAILED;
    }

    /** No server accepted a connection: the request was never sent. */
    static final class NoServerAccepted extends IOException {
        NoServerAccepted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
