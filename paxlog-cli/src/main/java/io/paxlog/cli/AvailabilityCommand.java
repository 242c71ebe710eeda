package io.paxlog.cli;

import io.paxlog.chaos.avail.AvailabilityReport;
import io.paxlog.chaos.avail.AvailabilityRun;
import io.paxlog.chaos.run.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code paxlog chaos availability}: issue 10's write-gap figures on real processes, fault by fault. */
@Command(name = "availability", mixinStandardHelpOptions = true,
        description = {
            "For each fault: a fresh 5-server kv cluster on loopback, every peer link through a proxy of its own,",
            "a write every --interval through each server's HTTP port (with an Idempotency-Key, retried on an",
            "unknown outcome) and through the Java client; after a warm-up the fault is held, healed, and watched.",
            "Prints, per fault and entrance, the longest stretch without an acknowledged write before, while the",
            "fault held and after the heal, and the time from the heal to the first write; writes",
            "availability.json, status.txt and history.txt in the run directory, which stays. Each history is",
            "checked for linearizability and lost acknowledged writes.",
            "Exit status: 0 safe and the goal met; 1 a history not linearizable, or a write lost or applied",
            "twice; 3 safe, but some entrance that can answer went longer than --goal without a write; 2 usage."
        })
final class AvailabilityCommand implements Callable<Integer> {

    @Option(names = "--faults", split = ",", description = "Faults, one fresh cluster each: all, or some of "
            + "KILL_LEADER, PAUSE_LEADER, DEAF_FOLLOWER, DEAF_LEADER, MUTE_LEADER, ISOLATE_LEADER, SPLIT_LEADER, "
            + "FLAP_LEADER_LINK (default: ${DEFAULT-VALUE}).", defaultValue = "all")
    List<String> faults;

    @Option(names = "--hold", description = "How long each fault holds (default: ${DEFAULT-VALUE}).",
            defaultValue = "30s", converter = JournalCommand.DurationConverter.class)
    Duration hold;

    @Option(names = "--after", description = "How long the cluster is watched after the heal (default: "
            + "${DEFAULT-VALUE}).", defaultValue = "15s", converter = JournalCommand.DurationConverter.class)
    Duration after;

    @Option(names = "--warmup", description = "Writes before the fault; the \"before\" column is its second half "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "8s", converter = JournalCommand.DurationConverter.class)
    Duration warmup;

    @Option(names = "--interval", description = "Between two writes of one entrance (default: ${DEFAULT-VALUE}).",
            defaultValue = "50ms", converter = JournalCommand.DurationConverter.class)
    Duration interval;

    @Option(names = "--goal", description = "The longest write gap allowed at an entrance that can answer "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "2s", converter = JournalCommand.DurationConverter.class)
    Duration goal;

    @Option(names = "--dir", description = "Where the run's pxc-avail-* directory is made (default: the system's "
            + "temporary directory).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        List<Fault.Kind> kinds;
        try {
            kinds = kinds(faults);
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog chaos availability: " + e.getMessage());
            return 2;
        }
        AvailabilityRun.Options defaults = AvailabilityRun.Options.issue10(kinds,
                dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir);
        AvailabilityRun.Options options;
        try {
            options = new AvailabilityRun.Options(kinds, warmup, hold, after, interval, defaults.maxInFlight(),
                    defaults.electionTimeoutMinMs(), defaults.electionTimeoutMaxMs(), goal, defaults.budget(),
                    defaults.parent());
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog chaos availability: " + e.getMessage());
            return 2;
        }
        AvailabilityReport report = AvailabilityRun.run(options, line -> System.out.println("paxlog chaos: " + line));
        System.out.print(report.table());
        return !report.safe() ? 1 : report.goalMet() ? 0 : 3;
    }

    /** {@code all}, or names of kinds that need no root, any case. */
    static List<Fault.Kind> kinds(List<String> names) {
        List<Fault.Kind> allowed = AvailabilityReport.allWithoutRoot();
        List<Fault.Kind> kinds = new ArrayList<>();
        for (String name : names) {
            String text = name.trim().toUpperCase(Locale.ROOT);
            if (text.equals("ALL")) {
                kinds.addAll(allowed);
                continue;
            }
            Fault.Kind kind = Arrays.stream(Fault.Kind.values()).filter(k -> k.name().equals(text)).findFirst()
                    .filter(allowed::contains).orElseThrow(() -> new IllegalArgumentException("--faults takes all or "
                            + allowed.stream().map(Fault.Kind::name).collect(Collectors.joining(", ")) + ": " + name));
            kinds.add(kind);
        }
        return kinds;
    }
}
