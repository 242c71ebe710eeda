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
        for (String uri : uris) {
            statuses.put(uri, fetch(client, uri));
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
                if (options.json) {
                    System.out.println(HttpOptions.JSON.createObjectNode().put("server", address).put("reachable", false));
                } else {
                    rows.add(new String[] {address, "-", "down", "-", "-", "-", "-", "-", "-", "-"});
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
            System.err.println("paxlog status: no server answered (" + String.join(", ", uris) + ")");
            return HttpOptions.EXIT_UNAVAILABLE;
        }
        return HttpOptions.EXIT_OK;
    }

    private JsonNode fetch(HttpClient client, String uri) {
        try {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(uri + "/v1/status"))
                    .timeout(options.timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? HttpOptions.json(response) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
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
