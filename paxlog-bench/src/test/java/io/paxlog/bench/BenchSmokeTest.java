package io.paxlog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole benchmark, tiny: three real paxlog server processes, a run JVM, one second of warm-up and
 * one of measurement of the mix (so the preload, reads and writes all run). One run, whose JVM starts are
 * most of its time: seconds on a quiet machine. So the benchmark cannot rot unnoticed.
 */
class BenchSmokeTest {

    @Test
    void measuresRealServersAndWritesItsResults(@TempDir Path dir) throws Exception {
        Plan plan = new Plan(List.of("paxlog"), List.of(Workload.MIX), 3, List.of(4), List.of(100),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
        Bench.Launch launch = new Bench.Launch(dir, List.of("-Xmx256m"),
                Map.of("paxlog", System.getProperty("java.class.path")), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<RunResult> results = new Bench(plan, launch, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
        assertThat(results).as(progress.toString(StandardCharsets.UTF_8)).hasSize(1).allMatch(RunResult::ok);
        for (RunResult result : results) {
            Figures f = result.figures();
            assertThat(f.clean()).as("every operation answered: %s", f.counts()).isTrue();
            assertThat(f.opsPerSecond()).isPositive();
            assertThat(f.latency().p50Ms()).isPositive().isLessThanOrEqualTo(f.latency().p99Ms());
            assertThat(f.serverCpuMsPerOp()).isPositive();
        }
        Figures writes = results.get(0).figures();
        assertThat(writes.server()).containsKey("leader_entries_per_fsync");
        assertThat(writes.server().get("leader_entries_per_fsync")).isPositive();
        assertThat(writes.server().get("leader_changes")).isZero();
        assertThat(writes.server().get("leader_commit_latency_mean_ms")).as("read from /metrics").isPositive();
        assertThat(writes.server().get("leader_wal_fsync_mean_ms")).as("read from /metrics").isPositive();
        assertThat(Files.readString(dir.resolve("bench.json"))).contains("\"serverJvmOptions\" : [ \"-Xmx256m\" ]");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("MIX 3x 4 100 B");
        assertThat(dir.resolve("bench.json")).exists();
        assertThat(dir.resolve("bench-mix-100B.svg")).exists();
        try (var runs = Files.list(dir)) {
            assertThat(runs.filter(p -> p.getFileName().toString().startsWith("run-"))
                    .allMatch(p -> !Files.exists(p.resolve("cluster").resolve("server-1")))).as("data deleted").isTrue();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("no server left running").isZero();
    }
}
