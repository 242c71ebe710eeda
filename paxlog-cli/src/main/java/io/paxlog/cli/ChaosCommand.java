package io.paxlog.cli;

import io.paxlog.chaos.run.ChaosRun;
import io.paxlog.chaos.run.Fault;
import io.paxlog.chaos.run.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code paxlog chaos}: a black-box run of real server processes under faults (module paxlog-chaos). */
@Command(name = "chaos", mixinStandardHelpOptions = true, subcommands = AvailabilityCommand.class,
        description = {
            "Starts 5 real servers (kv service) on loopback, runs the register workload through the Java client",
            "and the HTTP API while it faults the leader (kill -9 and restart; SIGSTOP and SIGCONT; cut off from",
            "its peers in network namespaces), then heals,",
            "reads every key and checks the whole history for linearizability. Prints operations, faults,",
            "violations, lost acknowledged writes, duplicates and the longest gap between acknowledged writes.",
            "Exit status 0 when it passed, 1 when it did not (the run directory is kept, with timeline.html).",
            "`paxlog chaos availability` measures how long writes stop under each fault instead."
        })
final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--workload", description = "REGISTER (kv: reads, writes, compare-and-sets; Java and HTTP "
            + "clients) or LOCK (locks with fencing tokens; HTTP clients). Default: ${DEFAULT-VALUE}.",
            defaultValue = "REGISTER")
    ChaosRun.Workload workload;

    @Option(names = "--duration", description = "How long the workload runs (default: ${DEFAULT-VALUE}).",
            defaultValue = "50s", converter = JournalCommand.DurationConverter.class)
    Duration duration;

    @Option(names = "--faults", split = ",", description = "Faults to cycle through: KILL_LEADER, PAUSE_LEADER, "
            + "PARTITION_LEADER (servers in network namespaces; root), or the faults of links through proxies: "
            + "DEAF_FOLLOWER, DEAF_LEADER, MUTE_LEADER, ISOLATE_LEADER, SPLIT_LEADER, FLAP_LEADER_LINK "
            + "(default: ${DEFAULT-VALUE}); NONE for none.", defaultValue = "KILL_LEADER")
    List<String> faults;

    @Option(names = "--interval", description = "Time between faults (default: ${DEFAULT-VALUE}).", defaultValue = "12s",
            converter = JournalCommand.DurationConverter.class)
    Duration interval;

    @Option(names = "--downtime", description = "How long each fault lasts; more than the 2 s election timeout "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "4s", converter = JournalCommand.DurationConverter.class)
    Duration downtime;

    @Option(names = "--java-clients", description = "Clients on the Java client (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int javaClients;

    @Option(names = "--http-clients", description = "Clients on the HTTP API (default: ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int httpClients;

    @Option(names = "--keys", description = "Keys the clients share (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int keys;

    @Option(names = "--dir", description = "Where the run's pxc-* directory is made (default: the system's "
            + "temporary directory).")
    Path dir;

    @Option(names = "--keep", description = "Keep the run directory (logs, data, history.txt) even if it passed.")
    boolean keep;

    @Option(names = "--seed", description = "Seed of the clients' choices (default: from the clock).")
    Long seed;

    @Override
    public Integer call() throws Exception {
        List<Fault.Kind> kinds;
        try {
            kinds = faults.stream().filter(f -> !f.equalsIgnoreCase("none"))
                    .map(f -> Fault.Kind.valueOf(f.trim().toUpperCase(java.util.Locale.ROOT))).toList();
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog chaos: --faults takes " + java.util.Arrays.stream(Fault.Kind.values())
                    .map(Fault.Kind::name).collect(java.util.stream.Collectors.joining(", ")) + " or NONE: " + faults);
            return 2;
        }
        int clients = workload == ChaosRun.Workload.LOCK ? httpClients : javaClients + httpClients;
        if (clients < 1 || keys < 1) {
            System.err.println("paxlog chaos: at least one client and one key (the lock workload runs HTTP clients only)");
            return 2;
        }
        ChaosRun.Options defaults = ChaosRun.Options.shortRun(dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir);
        ChaosRun.Options options;
        try {
            options = new ChaosRun.Options(workload, duration, javaClients, httpClients, keys, kinds, interval, downtime,
                    defaults.electionTimeoutMinMs(), defaults.electionTimeoutMaxMs(),
                    defaults.budget(), defaults.parent(),
                    seed == null ? defaults.seed() : seed, keep);
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog chaos: " + e.getMessage());
            return 2;
        }
        System.out.printf("paxlog chaos: %s workload, 5 servers, %d Java + %d HTTP clients on %d keys for %d s, faults %s%n",
                workload, workload == ChaosRun.Workload.LOCK ? 0 : javaClients, httpClients, keys, duration.toSeconds(),
                kinds);
        RunReport report = ChaosRun.run(options);
        System.out.print(report.text());
        return report.passed() ? 0 : 1;
    }
}
