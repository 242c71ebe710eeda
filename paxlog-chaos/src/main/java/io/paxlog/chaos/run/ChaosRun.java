package io.paxlog.chaos.run;

import io.paxlog.chaos.check.Budget;
import io.paxlog.chaos.check.CheckResult;
import io.paxlog.chaos.check.Linearizability;
import io.paxlog.chaos.check.LockModel;
import io.paxlog.chaos.check.Model;
import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.check.Timeline;
import io.paxlog.client.PaxlogClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One black-box run: five server processes, concurrent clients recording every operation, the faults
 * asked for, then every fault healed and the whole history checked. The register workload (kv service)
 * runs clients on the Java client and on HTTP and ends with a final read of every key, for the lost
 * write count; the lock workload (lock service) runs HTTP clients.
 */
public final class ChaosRun {

    /** What the clients do, and so which service the servers run and which model checks the history. */
    public enum Workload {
        /** Reads, unique writes and compare-and-sets on a few kv keys, checked as registers. */
        REGISTER("kv"),
        /** Acquires, renewals and releases of a few locks by a few owners, checked with fencing tokens. */
        LOCK("lock");

        final String service;

        Workload(String service) {
            this.service = service;
        }
    }

    /**
     * @param javaClients clients on the Java client (register workload only)
     * @param parent where the run's directory ({@code pxc-...}) is made
     * @param keep keep the run directory (data, logs, history) even when the run passed
     */
    public record Options(Workload workload, Duration duration, int javaClients, int httpClients, int keys,
            List<Fault.Kind> faults, Duration faultInterval, Duration downtime, long electionTimeoutMinMs,
            long electionTimeoutMaxMs, Budget budget, Path parent, long seed, boolean keep) {

        public Options {
            faults = List.copyOf(faults);
            network(faults); // refuses partitions and proxied links together, before anything starts
            if (downtime.toMillis() <= electionTimeoutMaxMs) {
                throw new IllegalArgumentException("a fault must last longer than the election timeout ("
                        + electionTimeoutMaxMs + " ms) to make the cluster elect: " + downtime.toMillis() + " ms");
            }
        }

        /** The short run: about a minute of the register workload, the leader killed with -9 every 12 s. */
        public static Options shortRun(Path parent) {
            return new Options(Workload.REGISTER, Duration.ofSeconds(50), 3, 2, 3, List.of(Fault.Kind.KILL_LEADER),
                    Duration.ofSeconds(12), Duration.ofSeconds(4), 1000, 2000,
                    Budget.of(20_000_000, Duration.ofSeconds(60)), parent, System.nanoTime(), false);
        }
    }

    private static final Duration BOUND = Duration.ofSeconds(60);

    private ChaosRun() {}

    public static RunReport run(Options options) throws IOException, InterruptedException {
        Files.createDirectories(options.parent());
        ServerCluster.killStale(options.parent());
        Path dir = Files.createTempDirectory(options.parent(), ServerCluster.PREFIX);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < options.keys(); i++) {
            keys.add((options.workload() == Workload.LOCK ? "lock" : "k") + i);
        }
        try (ServerCluster cluster = new ServerCluster(dir, 5, options.workload().service, options.electionTimeoutMinMs(),
                options.electionTimeoutMaxMs(), network(options.faults()))) {
            cluster.startAll();
            cluster.awaitLeader(BOUND);
            List<String> httpBases = cluster.ids().stream().map(cluster::httpBase).toList();
            if (options.workload() == Workload.LOCK) {
                Recorder<LockModel.Input, LockModel.Output> recorder = new Recorder<>();
                List<Worker> workers = new ArrayList<>();
                for (int client = 1; client <= options.httpClients(); client++) {
                    workers.add(new LockWorker(client, recorder, keys, options.seed() + client, httpBases));
                }
                List<Fault> faults = drive(cluster, recorder, workers, options);
                return finish(dir, options, recorder.operations(), LockModel.INSTANCE, faults, RunReport.NOT_MEASURED,
                        RunReport.NOT_MEASURED, RunReport.NOT_MEASURED, RunReport.NOT_MEASURED);
            }
            Recorder<RegisterModel.Input, RegisterModel.Output> recorder = new Recorder<>();
            List<Worker> workers = new ArrayList<>();
            int client = 1;
            for (int i = 0; i < options.javaClients(); i++, client++) {
                workers.add(new JavaClientWorker(client, recorder, keys, options.seed() + client, javaClient(cluster)));
            }
            for (int i = 0; i < options.httpClients(); i++, client++) {
                workers.add(new HttpWorker(client, recorder, keys, options.seed() + client, httpBases));
            }
            List<Fault> faults = drive(cluster, recorder, workers, options);
            Map<String, Operation<RegisterModel.Input, RegisterModel.Output>> finalReads = new LinkedHashMap<>();
            try (JavaClientWorker reader = new JavaClientWorker(0, recorder, keys, options.seed(), javaClient(cluster))) {
                for (String key : keys) {
                    finalReads.put(key, finalRead(reader, recorder, key, cluster));
                }
            }
            List<Operation<RegisterModel.Input, RegisterModel.Output>> history = recorder.operations();
            return finish(dir, options, history, RegisterModel.INSTANCE, faults,
                    Findings.lostAcknowledgedWrites(history, finalReads), Findings.duplicates(recorder.versions()),
                    Findings.longestWriteGapNanos(history),
                    (int) history.stream().filter(Findings::acknowledgedWrite).count());
        }
    }

    /**
     * Runs the workers and the nemesis for the run's duration, stops them (bounded), and waits until
     * every server runs and one leads again: the faults are healed. Returns the faults done.
     */
    private static List<Fault> drive(ServerCluster cluster, Recorder<?, ?> recorder, List<Worker> workers,
            Options options) throws InterruptedException {
        Nemesis nemesis = new Nemesis(cluster, recorder, options.faults(), options.faultInterval(), options.downtime());
        List<Thread> threads = new ArrayList<>();
        for (Worker worker : workers) {
            threads.add(new Thread(worker, "pxc-client-" + worker.client()));
        }
        Thread nemesisThread = new Thread(nemesis, "pxc-nemesis");
        try {
            threads.forEach(Thread::start);
            nemesisThread.start();
            Thread.sleep(options.duration().toMillis()); // the run's length: the workload runs meanwhile
        } finally {
            nemesis.stop();
            workers.forEach(Worker::stop);
            join(nemesisThread);
            for (Thread thread : threads) {
                join(thread);
            }
            workers.forEach(Worker::close);
        }
        if (nemesis.failure().isPresent()) {
            throw new IllegalStateException("a fault could not be done or healed", nemesis.failure().get());
        }
        for (int id : cluster.ids()) {
            if (!cluster.isAlive(id)) {
                throw new IllegalStateException("server " + id + " is not running after the run" + cluster.describe());
            }
        }
        cluster.awaitLeader(BOUND);
        return nemesis.faults();
    }

    /** Checks the history, writes history.txt (and timeline.html if it failed), and makes the report. */
    private static <S, I, O> RunReport finish(Path dir, Options options, List<Operation<I, O>> history,
            Model<S, I, O> model, List<Fault> faults, int lost, int duplicates, long writeGapNanos,
            int acknowledgedWrites) throws IOException {
        long checkStart = System.nanoTime();
        List<CheckResult> results = new Linearizability<>(model, options.budget()).check(history);
        long checkNanos = System.nanoTime() - checkStart;
        Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        outcomes.putAll(history.stream().collect(Collectors.groupingBy(Operation::outcome, Collectors.counting())));
        Optional<Path> timeline = Optional.empty();
        List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
        if (!failed.isEmpty()) {
            Path page = dir.resolve("timeline.html");
            Timeline.write(page, "paxlog chaos run " + dir.getFileName(), failed, model);
            timeline = Optional.of(page);
        }
        Files.write(dir.resolve("history.txt"), history.stream()
                .sorted(Comparator.comparingLong(Operation::invokeNanos)).map(Operation::toString).toList());
        RunReport report = new RunReport(dir, options.workload(), List.copyOf(history), outcomes, faults, results, lost,
                duplicates, writeGapNanos, acknowledgedWrites, checkNanos, timeline);
        if (report.passed() && !options.keep()) {
            deleteTree(dir);
        }
        return report;
    }

    /**
     * The network the faults need: namespaces for partitions, link proxies for one-way and flapping
     * links, plain loopback otherwise. A run cannot ask for both partitions and proxied links.
     */
    static ServerCluster.Network network(List<Fault.Kind> faults) {
        boolean namespaces = faults.stream().anyMatch(k -> k.needs() == Fault.Needs.NAMESPACES);
        boolean proxies = faults.stream().anyMatch(k -> k.needs() == Fault.Needs.PROXIES);
        if (namespaces && proxies) {
            throw new IllegalArgumentException("partition_leader (network namespaces) cannot be mixed with the faults "
                    + "of proxied links in one run: " + faults);
        }
        return namespaces ? ServerCluster.Network.NAMESPACES
                : proxies ? ServerCluster.Network.PROXIED : ServerCluster.Network.LOOPBACK;
    }

    private static PaxlogClient javaClient(ServerCluster cluster) {
        return PaxlogClient.builder().servers(cluster.clientAddresses()).clusterId("chaos")
                .requestTimeout(Duration.ofSeconds(5)).build();
    }

    /** Reads {@code key} until an answer comes, within {@link #BOUND}: the final state must be known. */
    private static Operation<RegisterModel.Input, RegisterModel.Output> finalRead(JavaClientWorker reader,
            Recorder recorder, String key, ServerCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            reader.readAndRecord(key);
            List<Operation<RegisterModel.Input, RegisterModel.Output>> ops = recorder.operations();
            Operation<RegisterModel.Input, RegisterModel.Output> last = ops.get(ops.size() - 1);
            if (last.outcome() == Outcome.OK) {
                return last;
            }
        }
        throw new IllegalStateException("no answer to a read of " + key + " within " + BOUND.toMillis() + " ms after "
                + "the faults healed" + cluster.describe());
    }

    private static void join(Thread thread) throws InterruptedException {
        // A client's operation ends within its timeouts (8 s at most); a fault heals within its downtime.
        thread.join(Duration.ofSeconds(60).toMillis());
        if (thread.isAlive()) {
            throw new IllegalStateException(thread.getName() + " did not stop within 60 s");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
