package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paxlog bench} refuses a plan it cannot run before it starts any server. */
class BenchCommandTest {

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream stderr = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return Main.commandLine().execute(args);
        } finally {
            System.setErr(stderr);
        }
    }

    @Test
    void anUnknownSystemIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "bench", "--systems", "paxlog,etcd")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown system etcd").contains("sofajraft");
    }

    @Test
    void aPeerWithoutItsJarSaysHowToBuildIt(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "bench", "--systems", "paxlog,sofajraft", "--peers-jar", dir.resolve("none.jar").toString(),
                "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("mvn -B -Ppeers -pl bench-peers -am package");
    }

    @Test
    void badSizesAndCountsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "bench", "--payloads", "lots")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a size: lots");
        err.reset();
        assertThat(run(err, "bench", "--in-flight", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("in flight");
        err.reset();
        assertThat(run(err, "bench", "--servers", "4")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("3 or 5");
    }
}
