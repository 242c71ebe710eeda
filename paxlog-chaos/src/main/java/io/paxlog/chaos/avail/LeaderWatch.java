package io.paxlog.chaos.avail;

import com.fasterxml.jackson.databind.JsonNode;
import io.paxlog.chaos.run.Recorder;
import io.paxlog.chaos.run.ServerCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Polls every server's status page twice a second during an availability run and keeps what each said
 * (role, epoch, the leader it knows, applied slot), on the history's clock: the first thing to read
 * when a write gap is long (who led when, and who campaigned). Written to {@code status.txt}.
 *
 * <p>Threads: its own; {@link #stop} and the queries from the run's thread, after it ended.
 */
final class LeaderWatch {

    /** One status page as read at {@code atNanos}; {@code role} is "silent" when it did not answer. */
    record Seen(long atNanos, long wallMillis, int server, String role, long round, int epochServer, int leader,
            long applied) {
        @Override
        public String toString() {
            // The wall clock too, to line the history's time up with the servers' logs.
            return String.format("%9.3f s  %s  s%d %-9s epoch %d.%d leader %d applied %d", atNanos / 1e9,
                    WALL.format(Instant.ofEpochMilli(wallMillis)), server, role, round, epochServer, leader, applied);
        }
    }

    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private final ServerCluster cluster;
    private final Recorder<?, ?> clock;
    private final List<Seen> seen = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;

    LeaderWatch(ServerCluster cluster, Recorder<?, ?> clock) {
        this.cluster = cluster;
        this.clock = clock;
        this.thread = new Thread(this::loop, "pxc-leader-watch");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try {
            while (!stopping) {
                for (int id : cluster.ids()) {
                    long at = clock.now();
                    long wall = System.currentTimeMillis();
                    Optional<JsonNode> status = cluster.status(id);
                    Seen one = status.map(s -> new Seen(at, wall, id, s.path("role").asText(),
                            s.path("epoch").path("round").asLong(), s.path("epoch").path("serverId").asInt(),
                            s.path("leader").asInt(), s.path("appliedSlot").asLong()))
                            .orElse(new Seen(at, wall, id, "silent", -1, 0, 0, -1));
                    synchronized (seen) {
                        seen.add(one);
                    }
                }
                TimeUnit.MILLISECONDS.sleep(500); // the polling rate
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }

    /** The servers that said they led within {@code [start, end]}, as {@code s<id>@<round>}, in order. */
    List<String> leadersBetween(long start, long end) {
        Set<String> leaders = new LinkedHashSet<>();
        synchronized (seen) {
            for (Seen one : seen) {
                if (one.atNanos() >= start && one.atNanos() <= end && "leader".equals(one.role())) {
                    leaders.add("s" + one.server() + "@" + one.round());
                }
            }
        }
        return List.copyOf(leaders);
    }

    void write(Path file) throws IOException {
        synchronized (seen) {
            Files.write(file, seen.stream().map(Seen::toString).toList());
        }
    }
}
