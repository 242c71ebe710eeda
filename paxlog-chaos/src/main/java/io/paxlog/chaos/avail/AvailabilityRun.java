package io.paxlog.chaos.avail;

import io.paxlog.chaos.check.Budget;
import io.paxlog.chaos.check.CheckResult;
import io.paxlog.chaos.check.Linearizability;
import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.check.Timeline;
import io.paxlog.chaos.run.Fault;
import io.paxlog.chaos.run.FaultDriver;
import io.paxlog.chaos.run.Findings;
import io.paxlog.chaos.run.Recorder;
import io.paxlog.chaos.run.ServerCluster;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 10's availability figures on real processes: for each fault asked for, a fresh 5-server kv
 * cluster behind link proxies, a steady-rate writer through every server's HTTP port and one through
 * the Java client, a reader through every port in turn; after a warm-up the fault is done to the
 * leader (or a follower), held, healed, and the cluster watched a while longer. Every operation is
 * recorded; the report gives, per fault and entrance, the longest stretch without an acknowledged write
 * before, during and after the fault, and the history of each fault is checked for linearizability and
 * lost acknowledged writes, as in every black-box run.
 *
 * <p>Threads: the caller's thread runs the faults one after another; writers, the reader, the leader
 * watch and a flapping link each run on threads of their own, all ended before the next fault starts.
 */
public final class AvailabilityRun {

    /** Client ids in the history: 1-5 the HTTP writers (= their server), 6 the Java client, 7 the reader, 0 the final reads. */
    private static final int JAVA_CLIENT = 6;
    private static final int READER = 7;
    private static final Duration BOUND = Duration.ofSeconds(60);
    /**
     * Writes one writer may have under way: 2 s of ticks at 50 ms, so writes hanging on a leader that
     * lost its majority (until check-quorum or the attempt timeout ends them) do not stop the writer from
     * trying new ones, which show when the entrance works again; below the 64 idempotent requests a
     * server serves at once.
     */
    static final int MAX_IN_FLIGHT = 40;

    /**
     * @param warmup writes before the fault, so every entrance is seen working first; its second half
     *     gives the "before" figures
     * @param hold how long the fault holds
     * @param after how long the cluster is watched after the heal
     * @param interval between two writes of one writer
     * @param maxInFlight writes one writer may have under way at once
     * @param goal the longest write gap allowed at an entrance that can answer
     */
    public record Options(List<Fault.Kind> faults, Duration warmup, Duration hold, Duration after, Duration interval,
            int maxInFlight, long electionTimeoutMinMs, long electionTimeoutMaxMs, Duration goal, Budget budget,
            Path parent) {

        public Options {
            faults = List.copyOf(faults);
            if (faults.isEmpty()) {
                throw new IllegalArgumentException("at least one fault");
            }
            for (Fault.Kind kind : faults) {
                if (kind.needs() == Fault.Needs.NAMESPACES) {
                    throw new IllegalArgumentException(kind.option() + " needs network namespaces; availability runs "
                            + "cut links with proxies instead (isolate_leader is the same cut)");
                }
            }
            if (hold.toMillis() <= electionTimeoutMaxMs) {
                throw new IllegalArgumentException("a fault must hold longer than the election timeout ("
                        + electionTimeoutMaxMs + " ms): " + hold.toMillis() + " ms");
            }
            if (interval.toMillis() < 1 || maxInFlight < 1) {
                throw new IllegalArgumentException("the write interval and the writes in flight must be positive");
            }
        }

        /** The figures of issue 10: each fault held 30 s, watched 15 s after, a write every 50 ms per entrance. */
        public static Options issue10(List<Fault.Kind> faults, Path parent) {
            return new Options(faults, Duration.ofSeconds(8), Duration.ofSeconds(30), Duration.ofSeconds(15),
                    Duration.ofMillis(50), MAX_IN_FLIGHT, 1000, 2000, Duration.ofSeconds(2),
                    Budget.of(20_000_000, Duration.ofSeconds(60)), parent);
        }
    }

    private AvailabilityRun() {}

    /** Runs every fault of {@code options} in turn; writes {@code availability.json}; the directory stays. */
    public static AvailabilityReport run(Options options, java.util.function.Consumer<String> progress)
            throws IOException, InterruptedException {
        Files.createDirectories(options.parent());
        ServerCluster.killStale(options.parent());
        Path dir = Files.createTempDirectory(options.parent(), ServerCluster.PREFIX + "avail-");
        List<AvailabilityReport.FaultResult> results = new ArrayList<>();
        for (Fault.Kind kind : options.faults()) {
            progress.accept("fault " + kind.option() + ": fresh cluster, " + options.warmup().toSeconds() + " s warm-up, "
                    + options.hold().toSeconds() + " s held, " + options.after().toSeconds() + " s after");
            AvailabilityReport.FaultResult result = runOne(kind, options,
                    dir.resolve(ServerCluster.PREFIX + kind.option()));
            results.add(result);
            progress.accept("fault " + kind.option() + ": worst gap " + result.worstAnsweringGapMillis() + " ms, "
                    + (result.safe() ? "safe" : "NOT SAFE"));
        }
        AvailabilityReport report = new AvailabilityReport(dir, options.hold().toMillis(), options.after().toMillis(),
                options.interval().toMillis(), options.goal().toMillis(), results);
        report.writeJson();
        return report;
    }

    private static AvailabilityReport.FaultResult runOne(Fault.Kind kind, Options options, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        try (ServerCluster cluster = new ServerCluster(dir, 5, "kv", options.electionTimeoutMinMs(),
                options.electionTimeoutMaxMs(), ServerCluster.Network.PROXIED)) {
            cluster.startAll();
            cluster.awaitLeader(BOUND);
            Recorder<RegisterModel.Input, RegisterModel.Output> recorder = new Recorder<>();
            List<SteadyWriter> writers = new ArrayList<>();
            for (int id : cluster.ids()) {
                writers.add(new HttpSteadyWriter(id, "s" + id, cluster.httpBase(id), recorder, options.interval(),
                        options.maxInFlight()));
            }
            writers.add(new JavaSteadyWriter(JAVA_CLIENT, javaClient(cluster), recorder, options.interval(),
                    options.maxInFlight()));
            List<String> keys = writers.stream().flatMap(w -> w.keys().stream()).toList();
            SteadyReader reader = new SteadyReader(READER, cluster.ids().stream().map(cluster::httpBase).toList(), keys,
                    recorder, Duration.ofMillis(100));
            LeaderWatch watch = new LeaderWatch(cluster, recorder);
            long warmStart = recorder.now();
            Fault fault;
            FaultDriver.Held held;
            int leader;
            long afterEnd;
            watch.start();
            writers.forEach(SteadyWriter::start);
            reader.start();
            try {
                Thread.sleep(options.warmup().toMillis()); // the schedule of the run: writes go on meanwhile
                leader = cluster.awaitLeader(BOUND);
                held = FaultDriver.begin(kind, cluster, leader, recorder);
                try {
                    Thread.sleep(options.hold().toMillis());
                } finally {
                    fault = held.heal();
                }
                Thread.sleep(options.after().toMillis());
                afterEnd = recorder.now();
            } finally {
                reader.stop();
                for (SteadyWriter writer : writers) {
                    writer.stop(Duration.ofSeconds(10));
                }
                watch.stop();
                watch.write(dir.resolve("status.txt"));
            }
            cluster.awaitLeader(BOUND);
            Map<String, Operation<RegisterModel.Input, RegisterModel.Output>> finalReads = finalReads(cluster, recorder,
                    keys);
            List<Operation<RegisterModel.Input, RegisterModel.Output>> history = recorder.operations();
            Files.write(dir.resolve("history.txt"), history.stream()
                    .sorted(Comparator.comparingLong(Operation::invokeNanos)).map(Operation::toString).toList());
            List<CheckResult> results = new Linearizability<>(RegisterModel.INSTANCE, options.budget()).check(history);
            List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
            if (!failed.isEmpty()) {
                Timeline.write(dir.resolve("timeline.html"), "availability run " + kind.option(), failed,
                        RegisterModel.INSTANCE);
            }
            int target = held.server();
            Optional<Integer> silenced = held.silenced();
            List<AvailabilityReport.PortResult> ports = new ArrayList<>();
            for (SteadyWriter writer : writers) {
                int server = writer.client == JAVA_CLIENT ? 0 : writer.client;
                String role = server == 0 ? "client" : role(kind, server, leader, FaultDriver.follower(cluster.ids(), leader));
                ports.add(new AvailabilityReport.PortResult(writer.label, server, role,
                        silenced.map(s -> s != server).orElse(true),
                        WriteGaps.of(history, writer.client, beforeStart(warmStart, fault), fault.startNanos()),
                        WriteGaps.of(history, writer.client, fault.startNanos(), fault.endNanos()),
                        WriteGaps.of(history, writer.client, fault.endNanos(), afterEnd), writer.skippedTicks(),
                        writer.endings()));
            }
            return new AvailabilityReport.FaultResult(kind.option(), kind.title(), fault.toString(), leader, target, ports,
                    watch.leadersBetween(fault.startNanos(), fault.endNanos()), history.size(), failed.isEmpty(),
                    Findings.lostAcknowledgedWrites(history, finalReads), Findings.duplicates(recorder.versions()),
                    dir.toString());
        }
    }

    /**
     * Where the "before" figures start: the second half of the warm-up, so they show the cluster's
     * normal pace, not the first writes of fresh JVMs (connections, class loading, compilation).
     */
    private static long beforeStart(long warmStart, Fault fault) {
        return warmStart + (fault.startNanos() - warmStart) / 2;
    }

    /** What the fault made of {@code server}, for the table. */
    private static String role(Fault.Kind kind, int server, int leader, int follower) {
        if (server == leader) {
            return "leader";
        }
        if (server != follower) {
            return "follower";
        }
        return switch (kind) {
            case DEAF_FOLLOWER -> "deaf";
            case SPLIT_LEADER -> "minority";
            case FLAP_LEADER_LINK -> "flapping";
            case KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER, DEAF_LEADER, MUTE_LEADER, ISOLATE_LEADER -> "follower";
        };
    }

    private static PaxlogClient javaClient(ServerCluster cluster) {
        return PaxlogClient.builder().servers(cluster.clientAddresses()).clusterId("chaos")
                .requestTimeout(Duration.ofSeconds(5)).build();
    }

    /** Reads every key once with an answer, after the heal: the final state, for lost writes. */
    private static Map<String, Operation<RegisterModel.Input, RegisterModel.Output>> finalReads(ServerCluster cluster,
            Recorder<RegisterModel.Input, RegisterModel.Output> recorder, List<String> keys) throws InterruptedException {
        Map<String, Operation<RegisterModel.Input, RegisterModel.Output>> reads = new LinkedHashMap<>();
        try (PaxlogClient client = javaClient(cluster)) {
            for (String key : keys) {
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (!reads.containsKey(key)) {
                    long invoke = recorder.now();
                    try {
                        KvResult answer = KvCommands.decodeResult(client.queryAndWait(
                                KvCommands.get(key.getBytes(StandardCharsets.UTF_8))).value());
                        String value = answer instanceof KvResult.Found found
                                ? new String(found.value(), StandardCharsets.UTF_8) : null;
                        RegisterModel.ReadValue output = new RegisterModel.ReadValue(value);
                        recorder.add(0, key, new RegisterModel.Read(), output, Outcome.OK, invoke, recorder.now());
                        List<Operation<RegisterModel.Input, RegisterModel.Output>> ops = recorder.operations();
                        reads.put(key, ops.get(ops.size() - 1));
                    } catch (CommandNotAppliedException e) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("no answer to a read of " + key + " within " + BOUND.toMillis()
                                    + " ms after the fault healed" + cluster.describe());
                        }
                    }
                }
            }
        }
        return reads;
    }
}
