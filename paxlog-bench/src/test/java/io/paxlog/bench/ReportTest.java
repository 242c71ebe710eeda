package io.paxlog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static RunResult run(String system, int inFlight, int rep, double ops, double p99) {
        RunKey key = new RunKey(system, Workload.WRITE, 3, inFlight, 100, rep);
        Figures figures = new Figures(ops, new LatencySummary(100, 1, p99 / 4, p99, p99 * 2, p99 * 3),
                new ClosedLoop.Counts(100, 0, 0, 0), 0.5, 0.1, Map.of("leader_entries_per_fsync", 3.0));
        return new RunResult(key, figures, null);
    }

    @Test
    void theMedianOfTheRepetitionsAndTheRatiosPaxlogOverPeer() {
        List<RunResult> results = List.of(run("paxlog", 16, 0, 1000, 4), run("sofajraft", 16, 0, 500, 2),
                run("sofajraft", 16, 1, 700, 8), run("paxlog", 16, 1, 3000, 6), run("paxlog", 16, 2, 2000, 5),
                new RunResult(new RunKey("sofajraft", Workload.WRITE, 3, 16, 100, 2), null, "crashed"));
        Report report = new Report(results);
        Report.Row paxlog = report.rows().stream().filter(r -> r.system().equals("paxlog")).findFirst().orElseThrow();
        assertThat(paxlog.median().opsPerSecond()).isEqualTo(2000);
        assertThat(paxlog.median().latency().p99Ms()).isEqualTo(5);
        assertThat(paxlog.median().latency().maxMs()).isEqualTo(18);
        assertThat(paxlog.runs()).isEqualTo(3);
        Report.Row peer = report.rows().stream().filter(r -> r.system().equals("sofajraft")).findFirst().orElseThrow();
        assertThat(peer.runs()).isEqualTo(2);
        assertThat(peer.failed()).isEqualTo(1);
        assertThat(peer.median().opsPerSecond()).isEqualTo(600); // the mean of the middle two
        assertThat(report.ratios()).singleElement().satisfies(ratio -> {
            assertThat(ratio.peer()).isEqualTo("sofajraft");
            assertThat(ratio.throughput()).isCloseTo(2000 / 600.0, within(1e-9));
            assertThat(ratio.p99()).isCloseTo(1.0, within(1e-9));
        });
    }

    @Test
    void printsATableTheRatiosAndWritesJsonAndAPlot(@TempDir Path dir) throws Exception {
        List<RunResult> results = List.of(run("paxlog", 1, 0, 1700, 1.3), run("sofajraft", 1, 0, 1300, 3),
                run("paxlog", 128, 0, 20000, 21), run("sofajraft", 128, 0, 52000, 7.5));
        Report report = new Report(results);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("WRITE 3x 128 100 B").contains("52000").contains("paxlog / peer").contains("0.38");
        Plan plan = new Plan(List.of("paxlog", "sofajraft"), List.of(Workload.WRITE), 3, List.of(1, 128), List.of(100),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 1);
        Report.writeJson(dir.resolve("bench.json"), plan, Instant.now(), results);
        String json = Files.readString(dir.resolve("bench.json"));
        assertThat(json).contains("\"ratios\"").contains("\"summary\"").contains("\"runs\"");
        List<Path> plots = SvgPlot.write(dir, report);
        assertThat(plots).singleElement().satisfies(p -> {
            String svg = Files.readString(p);
            assertThat(svg).startsWith("<svg").contains("paxlog").contains("sofajraft").contains("polyline");
        });
    }

    @Test
    void thePlanAlternatesTheSystemsOfAPointAndSkipsWhatASystemCannotRun() {
        Plan plan = new Plan(List.of("paxlog", "sofajraft"), List.of(Workload.WRITE, Workload.HTTP_WRITE), 3, List.of(1, 128),
                List.of(100), Duration.ZERO, Duration.ofSeconds(1), 2);
        List<String> order = plan.steps(Bench::runnable).stream()
                .map(step -> step.setting().system() + ":" + step.setting().workload() + ":" + step.repetition()).toList();
        assertThat(order).containsExactly("paxlog:WRITE:0", "sofajraft:WRITE:0", "sofajraft:WRITE:1", "paxlog:WRITE:1",
                "paxlog:WRITE:0", "sofajraft:WRITE:0", "sofajraft:WRITE:1", "paxlog:WRITE:1",
                "paxlog:HTTP_WRITE:0", "paxlog:HTTP_WRITE:1"); // 128 HTTP connections are more than a server takes
    }

    @Test
    void aFigureThatIsNotANumberSurvivesTheRunsJsonFile() throws Exception {
        RunKey key = new RunKey("paxlog", Workload.READ, 3, 1, 100, 0);
        RunResult result = new RunResult(key, new Figures(10, new LatencySummary(1, 1, 1, 1, 1, 1),
                new ClosedLoop.Counts(10, 0, 0, 0), 0.5, 0.1, Map.of("leader_entries_per_fsync", Double.NaN)), null);
        RunResult back = Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(result), RunResult.class);
        assertThat(back.key()).isEqualTo(key);
        assertThat(back.figures().server().get("leader_entries_per_fsync")).isNaN();
        assertThat(back.figures().counts()).isEqualTo(result.figures().counts());
    }

    @Test
    void sizesParseAndFormat() {
        assertThat(Sizes.parse("100")).isEqualTo(100);
        assertThat(Sizes.parse("100B")).isEqualTo(100);
        assertThat(Sizes.parse("1KiB")).isEqualTo(1024);
        assertThat(Sizes.parse("16k")).isEqualTo(16384);
        assertThat(Sizes.format(16384)).isEqualTo("16 KiB");
        assertThat(Sizes.format(100)).isEqualTo("100 B");
    }
}
