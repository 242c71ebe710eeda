package io.paxlog.sim;

import java.util.List;

/**
 * The outcome of one seed.
 *
 * @param snapshotInstalls snapshots servers received from another server and installed
 * @param violation   null when every check passed, else what broke
 * @param traceHash   hash of every event; equal for two runs of the same seed
 * @param lastEvents  the last events before the end (or the violation), one line each
 * @param replayOptions the options besides seed and size that this run used, as {@code paxlog sim}
 *                    flags, so the printed replay command replays exactly this run
 */
public record SeedResult(
        long seed,
        int servers,
        String faults,
        long simulatedMs,
        long events,
        long traceHash,
        long commandsCompleted,
        long leaderElections,
        long snapshotInstalls,
        String violation,
        List<String> lastEvents,
        String replayOptions) {

    public boolean passed() {
        return violation == null;
    }

    /** The one command that replays this seed. */
    public String replayCommand() {
        return "./paxlog sim --seed " + seed + " --servers " + servers + replayOptions;
    }

    public String report() {
        StringBuilder out = new StringBuilder();
        out.append("VIOLATION seed=").append(seed).append(" servers=").append(servers)
                .append(" at ").append(simulatedMs).append(" ms: ").append(violation).append('\n');
        out.append("  faults: ").append(faults).append('\n');
        out.append("  replay: ").append(replayCommand()).append('\n');
        out.append("  last events:\n");
        for (String line : lastEvents) {
            out.append("    ").append(line).append('\n');
        }
        return out.toString();
    }
}
