package io.paxlog.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded example program, run as a user would: each run counts on from the data the last one left. */
class CounterExampleTest {

    @TempDir
    Path dir;

    @Test
    void eachRunAddsOneToWhatTheLastRunLeft() throws Exception {
        assertThat(run()).contains("after add: Value[name=visits, value=1]", "read: Value[name=visits, value=1]");
        assertThat(run()).contains("after add: Value[name=visits, value=2]", "read: Value[name=visits, value=2]");
    }

    private String run() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CounterExample.main(new String[] {dir.toString()});
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
