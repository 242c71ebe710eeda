package io.paxlog.bench.paxlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paxlog.bench.BenchCluster;
import io.paxlog.bench.PrometheusText;
import io.paxlog.bench.ServerProcesses;
import io.paxlog.bench.Target;
import io.paxlog.bench.Workload;
import io.paxlog.client.PaxlogClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running paxlog cluster: its processes, their addresses, and clients of it. Reads each server's
 * {@code /metrics} for the batching figures.
 *
 * <p>Threads: the run's main thread; the clients it hands out are thread-safe.
 */
final class PaxlogCluster implements BenchCluster {

    /** A server's loopback ports. */
    record Addresses(int peer, int client, int http) {}

    /** Clients: one per this many operations in flight (each its own network thread and connection). */
    static final int IN_FLIGHT_PER_CLIENT = 128;
    /** Generous: three server JVMs starting at once on a loaded 2-core machine took more than 30 s. */
    private static final Duration LEADER_BOUND = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerProcesses processes;
    private final Map<Integer, Addresses> addresses;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private int leader;

    PaxlogCluster(ServerProcesses processes, Map<Integer, Addresses> addresses) {
        this.processes = processes;
        this.addresses = addresses;
    }

    void awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_BOUND.toNanos();
        while (true) {
            processes.requireAlive();
            Optional<Integer> found = findLeader();
            if (found.isPresent()) {
                leader = found.get();
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader within " + LEADER_BOUND.toSeconds() + " s; " + processes.describe());
            }
            Thread.sleep(100); // polling the status pages until the first election is over
        }
    }

    private Optional<Integer> findLeader() throws InterruptedException {
        for (int id : addresses.keySet()) {
            Optional<String> body = get(id, "/v1/status");
            if (body.isPresent()) {
                try {
                    JsonNode status = JSON.readTree(body.get());
                    if ("leader".equals(status.path("role").asText())) {
                        return Optional.of(id);
                    }
                } catch (IOException e) {
                    // not JSON yet: the server is starting
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> get(int id, String path) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase(id) + path)).timeout(Duration.ofSeconds(2))
                .GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    String httpBase(int id) {
        return "http://127.0.0.1:" + addresses.get(id).http();
    }

    @Override
    public List<ProcessHandle> servers() {
        return processes.handles();
    }

    @Override
    public Target connect(Workload workload, int inFlight) {
        if (workload == Workload.HTTP_WRITE) {
            return new HttpTarget(httpBase(leader));
        }
        Map<Integer, InetSocketAddress> servers = new LinkedHashMap<>();
        addresses.forEach((id, a) -> servers.put(id, new InetSocketAddress("127.0.0.1", a.client())));
        int clients = (inFlight + IN_FLIGHT_PER_CLIENT - 1) / IN_FLIGHT_PER_CLIENT;
        int perClient = (inFlight + clients - 1) / clients;
        List<PaxlogClient> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            PaxlogClient client = PaxlogClient.builder().servers(servers).clusterId(PaxlogSystem.CLUSTER_ID)
                    .maxOutstanding(Math.max(PaxlogClient.Builder.MAX_OUTSTANDING_DEFAULT, perClient)).build();
            client.leaderHint(leader);
            all.add(client);
        }
        return new PaxlogTarget(all);
    }

    /** Every server's counters as {@code s<id>.<name>}, and {@code leader} (the id found at start). */
    @Override
    public Map<String, Double> counters() {
        Map<String, Double> all = new LinkedHashMap<>();
        all.put("leader", (double) leader);
        for (int id : addresses.keySet()) {
            try {
                Optional<String> text = get(id, "/metrics");
                if (text.isPresent()) {
                    PrometheusText.parse(text.get()).forEach((name, value) -> all.put("s" + id + "." + name, value));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return all;
    }

    /**
     * What /metrics offers about batching, over the measured period: the leader's log entries per fsync
     * and per batch handed to its WAL, its fsyncs per operation, its mean commit latency and fsync time,
     * the followers' entries per batch (each
     * follower's batch is what one {@code store} brought it, as the loop drains a store per step) and
     * leader changes. Entries per {@code store} message as sent are not counted by the server.
     */
    @Override
    public Map<String, Double> figures(Map<String, Double> before, Map<String, Double> after, long ops) {
        Map<String, Double> figures = new LinkedHashMap<>();
        String l = "s" + leader + ".";
        double entries = delta(before, after, l + "paxlog_persist_batch_entries_sum");
        double batches = delta(before, after, l + "paxlog_persist_batch_entries_count");
        double fsyncs = delta(before, after, l + "paxlog_wal_fsyncs_total");
        figures.put("leader_entries_per_fsync", entries / fsyncs);
        figures.put("leader_entries_per_wal_batch", entries / batches);
        figures.put("leader_fsyncs_per_op", fsyncs / ops);
        figures.put("leader_group_commits_per_op", delta(before, after, l + "paxlog_wal_group_commits_total") / ops);
        figures.put("leader_wal_bytes_per_op", delta(before, after, l + "paxlog_wal_bytes_total") / ops);
        // The leader's own view of a command (its loop queue to its answer): the rest of the client's
        // latency is the client, the sockets and the hand-offs before the loop.
        figures.put("leader_commit_latency_mean_ms", 1000 * delta(before, after, l + "paxlog_commit_latency_seconds_sum")
                / delta(before, after, l + "paxlog_commit_latency_seconds_count"));
        figures.put("leader_wal_fsync_mean_ms", 1000 * delta(before, after, l + "paxlog_wal_fsync_latency_seconds_sum")
                / delta(before, after, l + "paxlog_wal_fsync_latency_seconds_count"));
        double followerEntries = 0;
        double followerBatches = 0;
        double leaderships = 0;
        for (int id : addresses.keySet()) {
            String s = "s" + id + ".";
            leaderships += delta(before, after, s + "paxlog_leaderships_total");
            if (id != leader) {
                followerEntries += delta(before, after, s + "paxlog_persist_batch_entries_sum");
                followerBatches += delta(before, after, s + "paxlog_persist_batch_entries_count");
            }
        }
        figures.put("follower_entries_per_wal_batch", followerEntries / followerBatches);
        figures.put("leader_changes", leaderships);
        return figures;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        Double a = after.get(name);
        Double b = before.get(name);
        return a == null || b == null ? Double.NaN : a - b;
    }

    @Override
    public void close() {
        processes.close();
    }
}
