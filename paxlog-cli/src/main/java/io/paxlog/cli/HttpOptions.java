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
    /** 504: the write may or may not have taken effect. */
    static final int EXIT_OUTCOME_UNKNOWN = 3;
    /** 503 or 429, or no server reachable: nothing was done; retry later. */
    static final int EXIT_UNAVAILABLE = 4;
    /** 404: no such key, or nobody holds the lock. */
    static final int EXIT_NOT_FOUND = 5;
    /** 412 (a version did not match, the key exists) or 409 (another owner holds the lock). */
    static final int EXIT_PRECONDITION_FAILED = 6;

    static final String EXIT_HELP = "Exit status: 0 done; 1 other failure; 2 usage or a request the server refused"
            + " (400, 413); 3 outcome unknown (504: it may or may not have taken effect); 4 unavailable (503, 429 or no"
            + " server reachable: nothing was done); 5 not found (404); 6 precondition failed (412) or held by"
            + " another owner (409).";

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

    /** The answer of the first server that takes the request. @throws IOException if none does */
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
        throw new IOException("no server accepted a connection (" + String.join(", ", baseUris()) + ")"
                + (last == null ? "" : ": " + last), last);
    }

    /** Prints the failure of a response that is not a success and returns the exit status it means. */
    static int failed(String command, HttpResponse<byte[]> response) {
        String message = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(response.body());
            if (error != null && error.has("message")) {
                message = error.path("error").asText() + ": " + error.get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: print it as it is
        }
        System.err.println("paxlog " + command + ": " + response.statusCode() + " " + message.replaceAll("\\s+", " "));
        return switch (response.statusCode()) {
            case 404 -> EXIT_NOT_FOUND;
            case 409, 412 -> EXIT_PRECONDITION_FAILED;
            case 429, 503 -> EXIT_UNAVAILABLE;
            case 504 -> EXIT_OUTCOME_UNKNOWN;
            case 400, 405, 413, 414, 431 -> EXIT_USAGE;
            default -> EXIT_FAILED;
        };
    }

    /** An exception while talking to the servers, as a line and an exit status. */
    static int failed(String command, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            System.err.println("paxlog " + command + ": interrupted; a write in flight may or may not have taken effect");
            return EXIT_OUTCOME_UNKNOWN;
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            System.err.println("paxlog " + command + ": no answer in time; a write may or may not have taken effect");
            return EXIT_OUTCOME_UNKNOWN;
        }
        if (e instanceof IllegalArgumentException) {
            System.err.println("paxlog " + command + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith("no server accepted")) {
            System.err.println("paxlog " + command + ": " + e.getMessage());
            return EXIT_UNAVAILABLE;
        }
        System.err.println("paxlog " + command + ": " + e + "; a write may or may not have taken effect");
        return EXIT_OUTCOME_UNKNOWN;
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
