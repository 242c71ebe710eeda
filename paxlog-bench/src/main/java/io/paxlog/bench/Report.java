package io.paxlog.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The results of a benchmark, one {@link Row} per point and system (the median over its repetitions, the
 * largest max), and the ratios paxlog/peer per point.
 */
public final class Report {

    /**
     * One system at one point: the medians over its measured repetitions ({@code runs}; {@code failed} more
     * failed and are not in them), the largest max, and the counts of all of them added up.
     */
    public record Row(RunKey key, int runs, int failed, Figures median) {

        public String point() {
            return key.point();
        }

        public String system() {
            return key.system();
        }

        /** The leader's log entries per fsync (paxlog only; NaN when not known). */
        public double entriesPerFsync() {
            return median == null ? Double.NaN : median.server().getOrDefault("leader_entries_per_fsync", Double.NaN);
        }
    }

    /** paxlog against one peer at one point: above 1 paxlog did more (throughput) or took more (p99, CPU). */
    public record Ratio(String point, String peer, double throughput, double p50, double p99, double p999,
            double serverCpuPerOp) {}

    private final List<RunResult> results;
    private final List<Row> rows;

    public Report(List<RunResult> results) {
        this.results = List.copyOf(results);
        this.rows = summarize(results);
    }

    public List<Row> rows() {
        return rows;
    }

    public List<Ratio> ratios() {
        List<Ratio> ratios = new ArrayList<>();
        Map<String, Row> paxlog = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.system().equals("paxlog") && row.median() != null) {
                paxlog.put(row.point(), row);
            }
        }
        for (Row row : rows) {
            Row ours = paxlog.get(row.point());
            if (ours == null || row.system().equals("paxlog") || row.median() == null) {
                continue;
            }
            Figures a = ours.median();
            Figures b = row.median();
            ratios.add(new Ratio(row.point(), row.system(), a.opsPerSecond() / b.opsPerSecond(),
                    a.latency().p50Ms() / b.latency().p50Ms(), a.latency().p99Ms() / b.latency().p99Ms(),
                    a.latency().p999Ms() / b.latency().p999Ms(), a.serverCpuMsPerOp() / b.serverCpuMsPerOp()));
        }
        return ratios;
    }

    static List<Row> summarize(List<RunResult> results) {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult result : results) {
            groups.computeIfAbsent(result.key().point() + "|" + result.key().system(), k -> new ArrayList<>()).add(result);
        }
        List<Row> rows = new ArrayList<>();
        for (List<RunResult> group : groups.values()) {
            RunKey key = group.get(0).key();
            List<Figures> ok = group.stream().filter(RunResult::ok).map(RunResult::figures).toList();
            int failed = group.size() - ok.size();
            if (ok.isEmpty()) {
                rows.add(new Row(key, 0, failed, null));
                continue;
            }
            LatencySummary latency = new LatencySummary(ok.stream().mapToLong(f -> f.latency().count()).sum(),
                    median(ok, f -> f.latency().meanMs()), median(ok, f -> f.latency().p50Ms()),
                    median(ok, f -> f.latency().p99Ms()), median(ok, f -> f.latency().p999Ms()),
                    ok.stream().mapToDouble(f -> f.latency().maxMs()).max().orElse(0));
            ClosedLoop.Counts counts = new ClosedLoop.Counts(ok.stream().mapToLong(f -> f.counts().ok()).sum(),
                    ok.stream().mapToLong(f -> f.counts().refused()).sum(),
                    ok.stream().mapToLong(f -> f.counts().notApplied()).sum(),
                    ok.stream().mapToLong(f -> f.counts().unknown()).sum());
            Map<String, Double> server = new java.util.TreeMap<>();
            ok.stream().flatMap(f -> f.server().keySet().stream()).distinct()
                    .forEach(name -> server.put(name, median(ok, f -> f.server().getOrDefault(name, Double.NaN))));
            rows.add(new Row(key, ok.size(), failed, new Figures(median(ok, Figures::opsPerSecond), latency, counts,
                    median(ok, Figures::serverCpuMsPerOp), median(ok, Figures::clientCpuMsPerOp), server)));
        }
        return rows;
    }

    /** The median (the mean of the middle two for an even count). */
    static <T> double median(List<T> items, ToDoubleFunction<T> value) {
        double[] values = items.stream().mapToDouble(value).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    public void print(PrintStream out) {
        out.println();
        out.printf("%-10s %-28s %10s %8s %8s %8s %8s %10s %9s %8s %s%n", "system", "point", "ops/s", "p50 ms", "p99 ms",
                "p99.9 ms", "max ms", "srv CPU", "entries", "runs", "");
        out.printf("%-10s %-28s %10s %8s %8s %8s %8s %10s %9s %8s%n", "", "", "", "", "", "", "", "us/op", "/fsync", "");
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing((Row row) -> row.key().workload()).thenComparingInt(row -> row.key().payloadBytes())
                .thenComparingInt(row -> row.key().inFlight()).thenComparing(Row::system));
        for (Row row : sorted) {
            String runs = row.runs() + (row.failed() > 0 ? "+" + row.failed() + " failed" : "");
            Figures f = row.median();
            if (f == null) {
                out.printf("%-10s %-28s %s%n", row.system(), row.point(), "every run failed: see bench.json");
                continue;
            }
            out.printf(Locale.ROOT, "%-10s %-28s %10.0f %8.2f %8.2f %8.2f %8.1f %10.0f %9s %8s %s%n", row.system(), row.point(),
                    f.opsPerSecond(), f.latency().p50Ms(), f.latency().p99Ms(), f.latency().p999Ms(),
                    f.latency().maxMs(), f.serverCpuMsPerOp() * 1000,
                    Double.isNaN(row.entriesPerFsync()) ? "-" : String.format(Locale.ROOT, "%.1f", row.entriesPerFsync()),
                    runs, f.clean() ? "" : "failures " + f.counts());
        }
        List<Ratio> ratios = ratios();
        if (!ratios.isEmpty()) {
            out.println();
            out.println("paxlog / peer (throughput above 1: paxlog faster; latency and CPU above 1: paxlog slower or costlier)");
            out.printf("%-28s %-10s %10s %8s %8s %8s %10s%n", "point", "peer", "ops/s", "p50", "p99", "p99.9", "CPU/op");
            for (Ratio ratio : ratios) {
                out.printf(Locale.ROOT, "%-28s %-10s %10.2f %8.2f %8.2f %8.2f %10.2f%n", ratio.point(), ratio.peer(),
                        ratio.throughput(), ratio.p50(), ratio.p99(), ratio.p999(), ratio.serverCpuPerOp());
            }
        }
    }

    /** One run's figures on one line, for progress output. */
    static String oneLine(RunResult result) {
        Figures f = result.figures();
        return String.format(Locale.ROOT, "%.0f ops/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms, server CPU %.0f us/op%s",
                f.opsPerSecond(), f.latency().p50Ms(), f.latency().p99Ms(), f.latency().p999Ms(), f.latency().maxMs(),
                f.serverCpuMsPerOp() * 1000, f.clean() ? "" : ", failures " + f.counts());
    }

    /** {@code bench.json}: the machine, the plan, every run, the summary rows and the ratios. */
    static void writeJson(Path file, Plan plan, Instant started, List<RunResult> results) throws IOException {
        writeJson(file, plan, List.of(), started, results);
    }

    /** As above, with the server JVMs' options and this JVM's {@code paxlog.bench.*} settings recorded. */
    static void writeJson(Path file, Plan plan, List<String> serverJvmOptions, Instant started, List<RunResult> results)
            throws IOException {
        Report report = new Report(results);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("startedAt", started.toString());
        json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));
        json.put("plan", Map.of("systems", plan.systems(), "workloads", plan.workloads(), "servers", plan.servers(),
                "inFlight", plan.inFlights(), "payloadBytes", plan.payloads(), "warmupSeconds", plan.warmup().toMillis() / 1e3,
                "measureSeconds", plan.measure().toMillis() / 1e3, "repetitions", plan.repetitions()));
        Map<String, String> settings = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("paxlog.bench."))
                .forEach(n -> settings.put(n, System.getProperty(n)));
        json.put("serverJvmOptions", serverJvmOptions);
        json.put("settings", settings);
        json.put("summary", report.rows());
        json.put("ratios", report.ratios());
        json.put("runs", results);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Json.MAPPER.writeValue(tmp.toFile(), json);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
