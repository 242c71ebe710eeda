package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code paxlog status}: asks every server for its {@code /v1/status} and prints one row each. The lag
 * column comes from the leader's view (only a leader knows how far each peer is behind).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"A table of every server: id, role, epoch, leader, slots, and lag behind the leader.",
            "A server that refused the connection is \"down\"; one that did not answer within --timeout is \"timed out\".",
            "Exit status: 0 at least one server answered; 2 usage; 4 none did."})
final class StatusCli implements Callable<Integer> {

    @Mixin
    HttpOptions options;

    @Override
    public Integer call() {
        List<String> uris;
        try {
            uris = options.baseUris();
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog status: " + e.getMessage());
            return HttpOptions.EXIT_USAGE;
        }
        HttpClient client = options.client();
        Map<String, JsonNode> statuses = new LinkedHashMap<>();
        Map<String, String> unanswered = new LinkedHashMap<>();
        for (String uri : uris) {
            Answer answer = fetch(client, uri);
            statuses.put(uri, answer.status());
            if (answer.status() == null) {
                unanswered.put(uri, answer.why());
            }
        }
        Map<Integer, JsonNode> lagByPeer = new LinkedHashMap<>();
        for (JsonNode status : statuses.values()) {
            if (status != null && status.path("role").asText().equals("leader")) {
                status.path("peers").forEach(peer -> lagByPeer.put(peer.path("id").asInt(), peer));
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVER", "ID", "ROLE", "EPOCH", "LEADER", "LAST_USED", "FIRST_UNFINALIZED", "APPLIED",
            "SNAPSHOT", "LAG"});
        int answered = 0;
        for (Map.Entry<String, JsonNode> entry : statuses.entrySet()) {
            String address = entry.getKey().substring("http://".length());
            JsonNode status = entry.getValue();
            if (status == null) {
                // "down" only when the connection was refused: a server that did not answer within
                // --timeout may be up and slow, and saying "down" would send its operator the wrong way.
                String why = unanswered.get(entry.getKey());
                if (options.json) {
                    System.out.println(HttpOptions.JSON.createObjectNode().put("server", address)
                            .put("reachable", false).put("why", why));
                } else {
                    rows.add(new String[] {address, "-", why, "-", "-", "-", "-", "-", "-", "-"});
                }
                continue;
            }
            answered++;
            int id = status.path("serverId").asInt();
            JsonNode peer = lagByPeer.get(id);
            String lag = status.path("role").asText().equals("leader") ? "0"
                    : peer == null || peer.path("lag").isNull() ? "?" : peer.path("lag").asText();
            if (options.json) {
                ObjectNode line = ((ObjectNode) status.deepCopy()).put("server", address).put("reachable", true);
                if (!lag.equals("?")) {
                    line.put("lag", Long.parseLong(lag));
                }
                System.out.println(line);
            } else {
                JsonNode epoch = status.path("epoch");
                rows.add(new String[] {address, Integer.toString(id), status.path("role").asText(),
                    epoch.path("round").asText() + "." + epoch.path("serverId").asText(), status.path("leader").asText(),
                    status.path("lastUsedSlot").asText(), status.path("firstUnfinalizedSlot").asText(),
                    status.path("appliedSlot").asText(), status.path("snapshotSlot").asText(), lag});
            }
        }
        if (!options.json) {
            print(rows);
        }
        if (answered == 0) {
            boolean slow = unanswered.values().stream().anyMatch(TIMED_OUT::equals);
            System.err.println("paxlog status: no server answered" + (slow ? " within --timeout " + options.timeout
                    .toString().substring(2).toLowerCase(Locale.ROOT) + " (some may be up: try a longer --timeout)" : "")
                    + " (" + String.join(", ", uris) + ")");
            return HttpOptions.EXIT_UNAVAILABLE;
        }
        return HttpOptions.EXIT_OK;
    }

    static final String TIMED_OUT = "timed out";

    /** A server's status, or null and why there is none: down, timed out, or what it answered instead. */
    private record Answer(JsonNode status, String why) {}

    private Answer fetch(HttpClient client, String uri) {
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(uri + "/v1/status"))
                    .timeout(options.timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? new Answer(HttpOptions.json(response), null)
                    : new Answer(null, "http " + response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted");
        } catch (java.net.http.HttpTimeoutException e) { // the connect timeout's exception is one too
            return new Answer(null, TIMED_OUT);
        } catch (java.net.ConnectException e) {
            return new Answer(null, "down");
        } catch (Exception e) {
            return new Answer(null, "error");
        }
    }

    private static void print(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i]));
                if (i < row.length - 1) {
                    line.append("  ");
                }
            }
            System.out.println(line.toString().stripTrailing());
        }
    }
}
