package io.paxlog.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What each server may tune for itself. Times are milliseconds of the server's monotonic clock.
 *
 * @param dataDir              where the server keeps its log and snapshots; {@code {id}} stands for the
 *                             server's id; a relative path is relative to the configuration file's
 *                             directory
 * @param electionTimeoutMinMs a follower that hears no leader for a time drawn in [min, max] tries to
 *                             lead; a leader that hears no majority for max steps down
 * @param electionTimeoutMaxMs see above
 * @param heartbeatIntervalMs  how often a leader queries its followers
 * @param tickIntervalMs       how often the loop thread passes the time to the core; well below the
 *                             heartbeat so timers fire close to when they are due
 * @param snapshotEverySlots   how many applied slots between two snapshots
 * @param walSegmentBytes      size of each write-ahead log segment file (preallocated)
 * @param limits               bounds on memory and message sizes
 */
public record ServerSettings(String dataDir, long electionTimeoutMinMs, long electionTimeoutMaxMs,
        long heartbeatIntervalMs, long tickIntervalMs, long snapshotEverySlots, long walSegmentBytes, Limits limits) {

    public static final long ELECTION_TIMEOUT_MIN_MS_DEFAULT = 1000;
    public static final long ELECTION_TIMEOUT_MAX_MS_DEFAULT = 2000;
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 100;
    public static final long TICK_INTERVAL_MS_DEFAULT = 5;
    public static final long SNAPSHOT_EVERY_SLOTS_DEFAULT = 100_000;
    public static final long WAL_SEGMENT_BYTES_DEFAULT = 64L << 20;
    static final long WAL_SEGMENT_BYTES_MIN = 1L << 20;
    static final long WAL_SEGMENT_BYTES_LIMIT = 1L << 30;
    static final long TIME_MS_LIMIT = 3_600_000;

    public ServerSettings {
        List<String> problems = problems(dataDir, electionTimeoutMinMs, electionTimeoutMaxMs, heartbeatIntervalMs,
                tickIntervalMs, snapshotEverySlots, walSegmentBytes);
        if (limits == null) {
            problems.add("limits: missing");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    static List<String> problems(String dataDir, long electionTimeoutMinMs, long electionTimeoutMaxMs,
            long heartbeatIntervalMs, long tickIntervalMs, long snapshotEverySlots, long walSegmentBytes) {
        List<String> problems = new ArrayList<>();
        if (dataDir == null || dataDir.isBlank()) {
            problems.add("dataDir: must name a directory");
        }
        boolean timesValid = timeInRange(problems, "electionTimeoutMinMs", electionTimeoutMinMs)
                & timeInRange(problems, "electionTimeoutMaxMs", electionTimeoutMaxMs)
                & timeInRange(problems, "heartbeatIntervalMs", heartbeatIntervalMs)
                & timeInRange(problems, "tickIntervalMs", tickIntervalMs);
        if (timesValid) {
            if (electionTimeoutMinMs <= heartbeatIntervalMs) {
                problems.add("electionTimeoutMinMs: " + electionTimeoutMinMs + " must be above heartbeatIntervalMs ("
                        + heartbeatIntervalMs + "), or followers give up on a live leader between two heartbeats");
            }
            if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
                problems.add("electionTimeoutMaxMs: " + electionTimeoutMaxMs + " must be above electionTimeoutMinMs ("
                        + electionTimeoutMinMs + ") so that servers' timeouts differ and one of them wins");
            }
            if (tickIntervalMs >= heartbeatIntervalMs) {
                problems.add("tickIntervalMs: " + tickIntervalMs + " must be below heartbeatIntervalMs ("
                        + heartbeatIntervalMs + ")");
            }
        }
        if (snapshotEverySlots < 1) {
            problems.add("snapshotEverySlots: must be positive, was " + snapshotEverySlots);
        }
        if (walSegmentBytes < WAL_SEGMENT_BYTES_MIN || walSegmentBytes > WAL_SEGMENT_BYTES_LIMIT) {
            problems.add("walSegmentBytes: " + walSegmentBytes + " is not in " + WAL_SEGMENT_BYTES_MIN + "-"
                    + WAL_SEGMENT_BYTES_LIMIT);
        }
        return problems;
    }

    private static boolean timeInRange(List<String> problems, String name, long value) {
        if (value < 1 || value > TIME_MS_LIMIT) {
            problems.add(name + ": " + value + " is not in 1-" + TIME_MS_LIMIT);
            return false;
        }
        return true;
    }
}
