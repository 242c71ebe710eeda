package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, seen on the demo: with the leader paused (SIGSTOP), a new leader was elected within about a
 * second, yet writes sent to the HTTP port of the new leader (or of any follower) got 504 for the whole
 * pause, the forwarding client still waiting on the old leader. Now a forwarding server follows its own
 * view of the leader and its client leaves a server that stops answering, so writes through every
 * running server's port succeed again soon after the pause; and the paused server rejoins when it
 * resumes.
 */
class PausedLeaderProcessTest {

    /** Generous for a loaded 2-core machine: an election (0.3-0.6 s here), an attempt timeout (2 s), slack. */
    private static final long RESUMED_WITHIN_MS = 10_000;

    @TempDir
    Path dir;

    private HttpCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesThroughEveryOtherServerResumeSoonAfterTheLeaderIsPaused() throws Exception {
        cluster = new HttpCluster(dir, 5, "kv", "");
        int leader = cluster.awaitLeader();
        for (int id = 1; id <= 5; id++) {
            assertThat(put(id, "warm-" + id).statusCode()).as("a write through server %d before the pause", id)
                    .isEqualTo(200);
        }

        cluster.processes().signal(leader, "STOP");
        long pausedAt = System.nanoTime();
        Map<Integer, Long> firstWriteMs = new LinkedHashMap<>();
        try {
            for (int id = 1; id <= 5; id++) {
                if (id == leader) {
                    continue;
                }
                int attempt = 0;
                while (true) {
                    HttpResponse<byte[]> answer = putOrNull(id, "after-" + id + "-" + attempt++);
                    long waited = (System.nanoTime() - pausedAt) / 1_000_000;
                    if (answer != null && answer.statusCode() == 200) {
                        firstWriteMs.put(id, waited);
                        break;
                    }
                    assertThat(waited).as("a write through server %d after leader %d paused (last: %s); %s", id, leader,
                            answer == null ? "no answer" : answer.statusCode() + " " + HttpCluster.text(answer),
                            cluster.describeAll()).isLessThan(RESUMED_WITHIN_MS);
                }
            }
            System.out.printf("leader %d paused: first successful write through each other server after %s ms%n",
                    leader, firstWriteMs);
        } finally {
            cluster.processes().signal(leader, "CONT");
        }
        int next = cluster.awaitLeader();
        assertThat(put(leader, "resumed").statusCode()).as("a write through the old leader %d once it resumed "
                + "(leader now %d)", leader, next).isEqualTo(200);
    }

    private HttpResponse<byte[]> put(int server, String key) {
        return cluster.send(server, "PUT", "/v1/kv/" + key, "v");
    }

    private HttpResponse<byte[]> putOrNull(int server, String key) {
        try {
            return put(server, key);
        } catch (UncheckedIOException e) {
            return null;
        }
    }
}
