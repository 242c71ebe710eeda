package io.paxlog.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code paxlog chaos} refuses a run that could not test what it says, before starting any server. */
class ChaosCommandTest {

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
    void aFaultShorterThanTheElectionTimeoutIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "chaos", "--downtime", "1s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("longer than the election timeout");
    }

    @Test
    void partitionsAndProxiedLinksInOneRunAreAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "chaos", "--faults", "partition_leader,deaf_leader")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot be mixed");
    }

    @Test
    void availabilityRefusesAFaultThatNeedsRootOrIsUnknown() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "chaos", "availability", "--faults", "deaf_leader,partition_leader")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--faults takes all or KILL_LEADER");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(run(err2, "chaos", "availability", "--faults", "flood")).isEqualTo(2);
    }

    @Test
    void availabilityRefusesAHoldShorterThanTheElectionTimeout() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "chaos", "availability", "--faults", "deaf_leader", "--hold", "1s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("longer than the election timeout");
    }

    @Test
    void anUnknownFaultIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "chaos", "--faults", "kill_leader,flood")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER, DEAF_FOLLOWER").contains("or NONE");
    }
}
