package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Servers of one cluster as {@code ServerMain} processes of this JVM's class path, each logging to
 * {@code server-<id>.log} in the test's directory (appended over restarts). {@link #close} kills every
 * process it started.
 */
final class ServerProcesses implements AutoCloseable {

    private final Path dir;
    private final Path configFile;
    private final ServerConfig config;
    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<Integer, Integer> starts = new HashMap<>();

    /** Writes a configuration of {@code servers} servers on fresh loopback ports to {@code dir}. */
    ServerProcesses(Path dir, int servers, String extraSettings) throws IOException {
        this(dir, FreePorts.clusterYaml(servers, "server-{id}", extraSettings));
    }

    /** Writes {@code yaml} as the configuration, to {@code dir}; data directories must be {@code server-{id}}. */
    ServerProcesses(Path dir, String yaml) throws IOException {
        this.dir = dir;
        this.configFile = dir.resolve("cluster.yaml");
        Files.writeString(configFile, yaml);
        this.config = ServerConfig.load(configFile);
    }

    ServerConfig config() {
        return config;
    }

    void start(int id) throws IOException {
        start(id, true);
    }

    /**
     * Starts server {@code id}; {@code assertions} says whether with {@code -ea}, as tests run. A server
     * in production runs without: a test of a check that must hold there starts it so too.
     */
    void start(int id, boolean assertions) throws IOException {
        List<String> command = new ArrayList<>(List.of(PaxlogServerTest.javaCommand()));
        if (assertions) {
            command.add("-ea");
        }
        command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
                "--config", configFile.toString(), "--id", Integer.toString(id)));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()))
                .start();
        processes.put(id, process);
        starts.merge(id, 1, Integer::sum);
    }

    void startAll() throws IOException {
        for (int id : config.cluster().serverIds()) {
            start(id);
        }
    }

    /**
     * Waits until each server's latest incarnation logged that it started (its ports are open, and a
     * SIGTERM finds the shutdown hook in place).
     */
    void awaitStarted(Duration bound, int... ids) {
        for (int id : ids) {
            String line = "server " + id + " of cluster '" + config.cluster().id() + "' started:";
            Await.until(bound, "server " + id + " starts", () -> count(logText(id), line) >= starts.get(id),
                    () -> describe(id));
        }
    }

    Path log(int id) {
        return dir.resolve("server-" + id + ".log");
    }

    /** The server's whole log so far; empty if it has none yet. */
    String logText(int id) {
        try {
            return Files.exists(log(id)) ? Files.readString(log(id)) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The part of the server's log written since {@code length} characters of it were read. */
    String logSince(int id, int length) {
        String text = logText(id);
        return text.substring(Math.min(length, text.length()));
    }

    Path dataDirectory(int id) {
        return config.dataDirectory(id);
    }

    long pid(int id) {
        return processes.get(id).pid();
    }

    boolean isAlive(int id) {
        return processes.get(id).isAlive();
    }

    /** The resident set size of the server's process, from {@code /proc/<pid>/status}. */
    long residentBytes(int id) {
        Path status = Path.of("/proc", Long.toString(pid(id)), "status");
        try {
            Matcher rss = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB$").matcher(Files.readString(status));
            assertThat(rss.find()).as("VmRSS in " + status).isTrue();
            return Long.parseLong(rss.group(1)) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void kill9(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("server " + id + " dies of SIGKILL").isTrue();
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to server {@code id}'s process. */
    void signal(int id, String signal) throws IOException, InterruptedException {
        Process process = processes.get(id);
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal + " server " + id)
                .isTrue();
    }

    /** SIGTERM; returns the exit status (143 once the shutdown hooks ran). */
    int term(int id) throws InterruptedException {
        Process process = processes.get(id);
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("server " + id + " stops after SIGTERM").isTrue();
        return process.exitValue();
    }

    /**
     * Waits for server {@code id}'s process to end on its own; fails unless it does within {@code bound}.
     * Returns its exit status.
     */
    int awaitExit(int id, Duration bound) throws InterruptedException {
        Process process = processes.get(id);
        assertThat(process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS))
                .as("server " + id + " exits within " + bound.toMillis() + " ms; " + describe(id)).isTrue();
        return process.exitValue();
    }

    /** The process's state and its log's end, for failure messages. */
    String describe(int id) {
        Process process = processes.get(id);
        String state = process == null ? "never started" : process.isAlive() ? "running" : "exited " + process.exitValue();
        String log = logText(id);
        return "server " + id + " " + state + ", log ends:\n" + log.substring(Math.max(0, log.length() - 3000));
    }

    String describeAll() {
        StringBuilder text = new StringBuilder();
        for (int id : List.copyOf(processes.keySet())) {
            text.append(describe(id)).append('\n');
        }
        return text.toString();
    }

    static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    /** Kills every process started, and waits (bounded) for each to end. */
    @Override
    public void close() throws InterruptedException {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
