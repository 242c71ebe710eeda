package io.paxlog.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code paxlog bench}: runs a {@link Plan}, each run in a JVM of its own ({@link RunMain}) on the class
 * path of its system, then prints the table, the ratios paxlog/peer, and writes {@code bench.json} and a
 * throughput-against-p99 plot per workload and payload ({@code bench-<workload>-<payload>.svg}) to the
 * output directory. Results are written after every run, so an interrupted benchmark keeps what it
 * measured.
 *
 * <p>Threads: the caller's only; each run's JVM is waited for.
 */
public final class Bench {

    /**
     * How runs are launched.
     *
     * @param outDir           where results, plots and each run's directory (logs) go
     * @param serverJvmOptions JVM options of every server process (paxlog's also get {@code -ea}, as
     *                         {@code paxlog server} runs with it)
     * @param classPaths       the class path of each system's run JVM
     * @param keepData         keep each run's server data directories (deleted otherwise: they are large)
     */
    public record Launch(Path outDir, List<String> serverJvmOptions, Map<String, String> classPaths, boolean keepData) {}

    /** paxlog's default {@code httpConnectionsPerAddressMax}: the HTTP workload's in-flight bound. */
    static final int HTTP_CONNECTIONS_MAX = 64;

    private final Plan plan;
    private final Launch launch;
    private final PrintStream out;
    private final PrintStream progress;

    public Bench(Plan plan, Launch launch, PrintStream out, PrintStream progress) {
        this.plan = plan;
        this.launch = launch;
        this.out = out;
        this.progress = progress;
    }

    /** Runs everything; returns the results (failed runs included, with their error). */
    public List<RunResult> run() throws IOException, InterruptedException {
        Files.createDirectories(launch.outDir());
        List<Plan.Step> steps = plan.steps(Bench::runnable);
        plan.steps(s -> !runnable(s)).forEach(skipped -> progress.println("bench: left out: " + skipped.setting().system() + " "
                + skipped.setting().point() + (skipped.setting().workload() == Workload.HTTP_WRITE && skipped.setting().system().equals("paxlog")
                ? " (a server takes " + HTTP_CONNECTIONS_MAX + " HTTP connections per client address)" : " (no such workload)")));
        List<RunResult> results = new ArrayList<>();
        Instant started = Instant.now();
        int n = 0;
        for (Plan.Step step : steps) {
            n++;
            progress.printf("bench: run %d/%d: %s %s (repetition %d)%n", n, steps.size(), step.setting().system(),
                    step.setting().point(), step.repetition() + 1);
            RunResult result = runOne(step, n);
            results.add(result);
            progress.println("bench:   " + (result.ok() ? Report.oneLine(result) : "FAILED: " + result.error()));
            Report.writeJson(launch.outDir().resolve("bench.json"), plan, launch.serverJvmOptions(), started, results);
        }
        Report report = new Report(results);
        report.print(out);
        for (Path svg : SvgPlot.write(launch.outDir(), report)) {
            out.println("plot: " + svg);
        }
        out.println("results: " + launch.outDir().resolve("bench.json"));
        return results;
    }

    /**
     * Whether a setting can run: the HTTP workload is paxlog's alone, with at most one connection per
     * operation in flight, within a server's limit per client address.
     */
    static boolean runnable(Setting setting) {
        if (setting.workload() != Workload.HTTP_WRITE) {
            return true;
        }
        return setting.system().equals("paxlog") && setting.inFlight() <= HTTP_CONNECTIONS_MAX;
    }

    private RunResult runOne(Plan.Step step, int n) throws IOException, InterruptedException {
        Setting setting = step.setting();
        RunKey key = RunKey.of(setting, step.repetition());
        String classPath = launch.classPaths().get(setting.system());
        if (classPath == null) {
            return new RunResult(key, null, "no class path for " + setting.system());
        }
        Path runDir = launch.outDir().resolve(String.format("run-%03d-%s", n, setting.system()));
        Files.createDirectories(runDir);
        Path resultFile = runDir.resolve("result.json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Settings of the adapters (e.g. -Dpaxlog.bench.ratis.rpc=NETTY) reach the run JVMs.
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("paxlog.bench."))
                .sorted().forEach(name -> command.add("-D" + name + "=" + System.getProperty(name)));
        command.addAll(List.of("-cp", classPath, RunMain.class.getName(),
                "--system", setting.system(), "--workload", setting.workload().name(),
                "--servers", Integer.toString(setting.servers()), "--in-flight", Integer.toString(setting.inFlight()),
                "--payload", Integer.toString(setting.payloadBytes()),
                "--warmup-ms", Long.toString(setting.warmup().toMillis()),
                "--measure-ms", Long.toString(setting.measure().toMillis()),
                "--repetition", Integer.toString(step.repetition()), "--seed", Long.toString(n),
                "--dir", runDir.resolve("cluster").toString(), "--out", resultFile.toString()));
        for (String option : launch.serverJvmOptions()) {
            command.addAll(List.of("--server-jvm-option", option));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(runDir.resolve("run.log").toFile()).start();
        long bound = setting.warmup().toSeconds() + setting.measure().toSeconds() + 180;
        try {
            if (!process.waitFor(bound, TimeUnit.SECONDS)) {
                // Its servers first: killed with -9, the run's JVM runs no hook to kill them itself.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                return new RunResult(key, null, "the run took longer than " + bound + " s; see " + runDir.resolve("run.log"));
            }
        } finally {
            process.destroyForcibly(); // no-op when it ended; a Ctrl-C here must not leave it running
        }
        if (!launch.keepData()) {
            deleteTree(runDir.resolve("cluster"));
        }
        if (!Files.exists(resultFile)) {
            return new RunResult(key, null, "the run exited with status " + process.exitValue() + " and no result; see "
                    + runDir.resolve("run.log"));
        }
        return Json.MAPPER.readValue(resultFile.toFile(), RunResult.class);
    }

    /** Deletes the data of a run whose servers are dead (logs of the servers are kept one level up). */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (path.getFileName().toString().endsWith(".log")) {
                    continue;
                }
                try {
                    Files.deleteIfExists(path);
                } catch (java.nio.file.DirectoryNotEmptyException keptLogs) {
                    // a directory holding a server's log stays
                }
            }
        }
    }
}
