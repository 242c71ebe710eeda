package io.paxlog.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One {@code paxlog} command run in this JVM (picocli), with what it wrote and its exit status. Standard
 * output and error are the process's, swapped while it runs: one command at a time per JVM.
 */
record CliRun(int status, String out, String err) {

    static synchronized CliRun run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /**
     * Starts {@code paxlog ARGS} as a process of its own on this JVM's class path, so that several can be
     * under way at once; {@link Started#finish} waits for it.
     */
    static Started start(java.nio.file.Path dir, String name, String... args) throws java.io.IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(java.util.List.of(args));
        java.nio.file.Path out = dir.resolve(name + ".out");
        java.nio.file.Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Started(process, out, err);
    }

    /** A {@code paxlog} process under way. */
    record Started(Process process, java.nio.file.Path out, java.nio.file.Path err) {
        CliRun finish(java.time.Duration bound) throws java.io.IOException, InterruptedException {
            if (!process.waitFor(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("paxlog did not end within " + bound + ": " + java.nio.file.Files.readString(err));
            }
            return new CliRun(process.exitValue(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
        }
    }
}
