package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that start servers refuse bad input before starting anything. */
class ServerCommandsTest {

    private record Run(int status, String err) {}

    private static Run run(String... args) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new Run(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(stderr);
        }
    }

    @Test
    void aServerWithABadConfigurationListsEveryProblemAndExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                cluster:
                  id: c
                  servers:
                    - {id: 1, peer: "127.0.0.1:1", client: "127.0.0.1:1", http: "127.0.0.1:3"}
                server:
                  dataDir: d
                  heartbeatIntervalMs: 5000
                """);

        Run run = run("server", "--config", file.toString(), "--id", "2");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains(file + ": 4 problems",
                "cluster.service: missing: name the service every server runs, one of [journal, kv, lock]",
                "address 127.0.0.1:1 is used by both server 1 peer and server 1 client",
                "electionTimeoutMinMs: 1000 must be above heartbeatIntervalMs (5000)",
                "--id 2: no server with this id in the cluster (ids: [1])");
        assertThat(dir.resolve("d")).doesNotExist();
    }

    @Test
    void aMissingConfigurationFileIsNamed(@TempDir Path dir) {
        Run run = run("server", "--config", dir.resolve("nope.yaml").toString(), "--id", "1");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("nope.yaml: 1 problem", "cannot read the file");
    }

    @Test
    void aDemoBasePortThatPutsPortsOutOfRangeIsAUsageError(@TempDir Path dir) {
        Run run = run("demo", "--base-port", "1500", "--data", dir.toString());
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--base-port 1500", "1024-65535");
        assertThat(dir.resolve("demo-cluster.yaml")).doesNotExist();
    }
}
