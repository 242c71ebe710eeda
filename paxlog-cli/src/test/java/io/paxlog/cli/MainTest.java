package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void simEndsWithTheSummaryLineAndExitsZeroWhenNothingBroke() {
        Run run = run("sim", "--seeds", "3", "--seconds", "5", "--parallel", "1");
        assertThat(run.status()).isZero();
        assertThat(run.out().strip().lines().reduce((a, b) -> b).orElseThrow())
                .matches("seeds=3 simulated_s=\\d+ violations=0");
    }

    @Test
    void replayingOneSeedPrintsItsTraceHash() {
        Run run = run("sim", "--seed", "11", "--seconds", "5");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("seed=11").containsPattern("trace_hash=[0-9a-f]{16}").contains("seeds=1 ");
    }

    @Test
    void theModelDiskIsAvailableForFasterRuns() {
        Run run = run("sim", "--seeds", "2", "--seconds", "5", "--parallel", "1", "--disk", "model");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("seeds=2 ");
    }

    @Test
    void theKvAndLockWorkloadsRunAndNameThemselvesInTheReplayLine() {
        Run kv = run("sim", "--seeds", "2", "--seconds", "5", "--parallel", "1", "--workload", "kv");
        assertThat(kv.status()).as(kv.out()).isZero();
        assertThat(kv.out()).contains("seeds=2 ");
        Run lock = run("sim", "--seed", "3", "--seconds", "5", "--workload", "lock");
        assertThat(lock.status()).as(lock.out()).isZero();
        assertThat(lock.out()).contains("seed=3").containsPattern("seeds=1 simulated_s=\\d+ violations=0");
    }

    @Test
    void aBadClusterSizeIsAClearUsageError() {
        Run run = run("sim", "--servers", "4");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--servers must be 3 or 5");
    }

    @Test
    void walVerifyOnADirectoryWithNoLogSaysSoRatherThanRecoverable(@TempDir Path dir) {
        // A mistyped directory is empty too: "recoverable", exit 0, would pass a backup check that read nothing.
        Run run = run("wal", "verify", dir.toString());
        assertThat(run.status()).as(run.err()).isEqualTo(4);
        assertThat(run.err()).contains("no write-ahead log in " + dir, "no segment and no snapshot");
        assertThat(run.out()).doesNotContain("recoverable");
    }

    @Test
    void walVerifyRefusesAFileThatIsNotALog(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("segment-00000000000000000001.wal"), new byte[300]);
        Files.write(dir.resolve("segment-00000000000000000002.wal"), "garbage".repeat(40).getBytes(StandardCharsets.UTF_8));
        Run run = run("wal", "verify", dir.toString());
        assertThat(run.status()).isNotZero();
        assertThat(run.err()).isNotBlank();
    }

    @Test
    void walOnAMissingDirectoryIsAUsageError() {
        Run run = run("wal", "dump", "/no/such/dir/for/paxlog");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("no such directory");
    }
}
