package io.paxlog.chaos.avail;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.paxlog.chaos.run.Fault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The figures of an availability run: per fault, per entrance (each server's HTTP port, and the Java
 * client), how long writes stopped while the fault held and after it healed. Written as a table on
 * stdout ({@link #table}) and as {@code availability.json} in the run directory.
 *
 * @param goalMillis the goal: no entrance that can answer goes longer than this without a write
 */
public record AvailabilityReport(@JsonSerialize(using = ToStringSerializer.class) Path directory, long holdMillis, long afterMillis, long intervalMillis,
        long goalMillis, List<FaultResult> faults) {

    public AvailabilityReport {
        faults = List.copyOf(faults);
    }

    /**
     * One entrance's figures under one fault.
     *
     * @param label {@code s<id>} for server id's HTTP port, {@code java} for the Java client
     * @param server the server whose port it is; 0 for the Java client (which uses every server)
     * @param role what the fault made of this server: leader; deaf (the deaf follower), minority (the
     *     leader's partner in a 2|3 split), flapping (the follower at the other end of the flapping link),
     *     follower; client for the Java client
     * @param answersByNature false for the port of a server the fault killed or froze: it cannot answer
     *     while the fault holds, so its figures are reported apart and not held to the goal
     * @param endings writes of the whole run that ended not applied or unknown, by the last answer's reason
     */
    public record PortResult(String label, int server, String role, boolean answersByNature, WriteGaps before,
            WriteGaps hold, WriteGaps after, long skippedTicks, java.util.Map<String, Long> endings) {
        public PortResult {
            endings = java.util.Map.copyOf(endings);
        }
    }

    /**
     * One fault, on a fresh cluster.
     *
     * @param fault what was done, as {@link Fault#toString}
     * @param leadersDuringHold the leaders (server id @ epoch round) seen on the status pages while it held
     * @param linearizable whether every key's history was shown linearizable (a search over budget is not)
     */
    public record FaultResult(String kind, String title, String fault, int leader, int target, List<PortResult> ports,
            List<String> leadersDuringHold, int operations, boolean linearizable, int lostAcknowledgedWrites,
            int duplicates, String directory) {

        public FaultResult {
            ports = List.copyOf(ports);
            leadersDuringHold = List.copyOf(leadersDuringHold);
        }

        /** The longest write gap of the entrances that can answer, while the fault held or after it healed. */
        @JsonProperty("worstAnsweringGapMillis")
        public long worstAnsweringGapMillis() {
            return ports.stream().filter(PortResult::answersByNature)
                    .mapToLong(p -> Math.max(p.hold().longestGapMillis(), p.after().longestGapMillis())).max()
                    .orElse(0);
        }

        @JsonProperty("safe")
        public boolean safe() {
            return linearizable && lostAcknowledgedWrites == 0 && duplicates == 0;
        }
    }

    public boolean safe() {
        return faults.stream().allMatch(FaultResult::safe);
    }

    public boolean goalMet() {
        return faults.stream().allMatch(f -> f.worstAnsweringGapMillis() <= goalMillis);
    }

    /** Writes {@code availability.json} into the run directory; returns its path. */
    public Path writeJson() throws IOException {
        Path file = directory.resolve("availability.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
        return file;
    }

    /** The table {@code paxlog chaos availability} prints. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("hold %d s, after %d s, a write every %d ms per entrance; goal: no entrance that can "
                + "answer goes %d ms without a write%n", holdMillis / 1000, afterMillis / 1000, intervalMillis, goalMillis));
        out.append(String.format("%-28s %-6s %-9s %9s %9s %9s %10s %14s%n", "fault", "port", "role", "before ms",
                "hold ms", "after ms", "heal->1st", "hold ok/f/?"));
        for (FaultResult fault : faults) {
            for (PortResult port : fault.ports()) {
                String note = port.answersByNature() ? "" : "  (cannot answer by nature: the fault stops this server)";
                out.append(String.format("%-28s %-6s %-9s %9d %9d %9d %10s %14s%s%n", fault.title(), port.label(),
                        port.role(), port.before().longestGapMillis(), port.hold().longestGapMillis(),
                        port.after().longestGapMillis(),
                        port.after().firstMillis() < 0 ? "none" : Long.toString(port.after().firstMillis()),
                        port.hold().ok() + "/" + port.hold().failed() + "/" + port.hold().unknown(), note));
            }
            out.append(String.format("  -> worst gap of the answering entrances %d ms (%s); %s%n  -> leaders while "
                    + "held: %s; %d operations, %s, lost acknowledged writes %d, duplicates %d%n  -> %s%n",
                    fault.worstAnsweringGapMillis(), fault.worstAnsweringGapMillis() <= goalMillis ? "goal met"
                    : "GOAL MISSED", fault.fault(), fault.leadersDuringHold(), fault.operations(),
                    fault.linearizable() ? "linearizable" : "NOT LINEARIZABLE", fault.lostAcknowledgedWrites(),
                    fault.duplicates(), fault.directory()));
        }
        out.append(safe() ? "safety: every history linearizable, nothing acknowledged lost or applied twice\n"
                : "safety: FAILED (see the faults above)\n");
        out.append(goalMet() ? "availability: goal met for every fault\n" : "availability: GOAL MISSED\n");
        out.append("run directory ").append(directory).append('\n');
        return out.toString();
    }

    /** The kinds {@code --faults all} means: every fault that needs no root. */
    public static List<Fault.Kind> allWithoutRoot() {
        return java.util.Arrays.stream(Fault.Kind.values()).filter(k -> k.needs() != Fault.Needs.NAMESPACES).toList();
    }
}
