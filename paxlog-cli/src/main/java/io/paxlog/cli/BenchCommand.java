package io.paxlog.cli;

import io.paxlog.bench.Bench;
import io.paxlog.bench.BenchSystem;
import io.paxlog.bench.Plan;
import io.paxlog.bench.RunResult;
import io.paxlog.bench.Sizes;
import io.paxlog.bench.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code paxlog bench}: the benchmark of module paxlog-bench, side by side with SOFAJRaft and Ratis. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Starts a fresh cluster of real server processes on loopback for every setting (production",
            "configuration, fsync on), drives it with a closed-loop client at N operations in flight after a",
            "warm-up, and prints throughput, latency percentiles (HdrHistogram), server CPU per operation",
            "(/proc, all server processes) and the servers' batching figures; writes bench.json and a",
            "throughput-against-p99 SVG per workload and payload to --out. With --systems paxlog,sofajraft,ratis",
            "(bench-peers built: mvn -B -Ppeers -pl bench-peers -am package -DskipTests) the runs of each",
            "setting alternate between the systems and the ratios paxlog/peer are printed.",
            "Exit status 0 when every run measured with every operation answered, 1 otherwise."
        })
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--systems", split = ",", description = "paxlog, sofajraft, ratis (default: ${DEFAULT-VALUE}).",
            defaultValue = "paxlog")
    List<String> systems;

    @Option(names = "--workloads", split = ",", description = "WRITE, READ (read-index), MIX (half each), HTTP_WRITE "
            + "(paxlog only, at most 64 in flight: a server's HTTP connections per client address) "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "WRITE")
    List<Workload> workloads;

    @Option(names = "--servers", description = "3 or 5 (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int servers;

    @Option(names = "--in-flight", split = ",", description = "Operations the client keeps in flight "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "1,16,128,512")
    List<Integer> inFlight;

    @Option(names = "--payloads", split = ",", description = "Value sizes, e.g. 100,1KiB,16KiB (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    List<String> payloads;

    @Option(names = "--warmup", description = "Warm-up per run, thrown away (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s", converter = JournalCommand.DurationConverter.class)
    Duration warmup;

    @Option(names = "--measure", description = "Measured period per run (default: ${DEFAULT-VALUE}).",
            defaultValue = "20s", converter = JournalCommand.DurationConverter.class)
    Duration measure;

    @Option(names = "--repetitions", description = "Runs per system and setting, alternating (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int repetitions;

    @Option(names = "--out", description = "Directory for bench.json, the plots and each run's logs "
            + "(default: bench-<date-time> here).")
    Path out;

    @Option(names = "--server-jvm-options", description = "JVM options of every server process, space-separated "
            + "(default: none, the JVM's own; paxlog's servers also get -ea, as paxlog server runs them).",
            defaultValue = "")
    String serverJvmOptions;

    @Option(names = "--peers-jar", description = "The jar of bench-peers (default: bench-peers/target/bench-peers.jar "
            + "beside this paxlog jar's module).")
    Path peersJar;

    @Option(names = "--keep-data", description = "Keep every run's data directories (deleted after each run otherwise).")
    boolean keepData;

    @Override
    public Integer call() throws Exception {
        Plan plan;
        try {
            for (String system : systems) {
                if (!BenchSystem.KNOWN.containsKey(system)) {
                    throw new IllegalArgumentException("unknown system " + system + "; known: " + BenchSystem.KNOWN.keySet());
                }
            }
            plan = new Plan(systems, workloads, servers, inFlight, payloads.stream().map(Sizes::parse).toList(), warmup,
                    measure, repetitions);
            plan.steps(s -> true); // checks every setting before the first run
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog bench: " + e.getMessage());
            return 2;
        }
        Map<String, String> classPaths = new LinkedHashMap<>();
        String own = System.getProperty("java.class.path");
        Path peers = peersJar != null ? peersJar : defaultPeersJar(own);
        for (String system : systems) {
            if (system.equals("paxlog")) {
                classPaths.put(system, own);
            } else if (peers == null || !Files.isRegularFile(peers)) {
                System.err.println("paxlog bench: " + system + " needs the bench-peers jar (" + peers + "); build it: "
                        + "mvn -B -Ppeers -pl bench-peers -am package -DskipTests");
                return 2;
            } else {
                classPaths.put(system, peers.toString());
            }
        }
        Path dir = out != null ? out
                : Path.of("bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<String> jvm = Arrays.stream(serverJvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        List<RunResult> results = new Bench(plan, new Bench.Launch(dir.toAbsolutePath(), jvm, classPaths, keepData),
                System.out, System.err).run();
        boolean allClean = results.stream().allMatch(r -> r.ok() && r.figures().clean());
        return allClean ? 0 : 1;
    }

    /** {@code <repository>/bench-peers/target/bench-peers.jar} when running from {@code paxlog-cli/target/paxlog.jar}. */
    private static Path defaultPeersJar(String classPath) {
        Path jar = Path.of(classPath.split(java.io.File.pathSeparator)[0]).toAbsolutePath();
        Path target = jar.getParent();
        if (target == null || target.getParent() == null || target.getParent().getParent() == null) {
            return null;
        }
        return target.getParent().getParent().resolve("bench-peers").resolve("target").resolve("bench-peers.jar");
    }
}
