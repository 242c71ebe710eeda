package io.paxlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The server JVMs of one benchmark cluster: each started with {@code java <jvm options> -cp <class path>
 * <main class> <args>}, logging to {@code server-<id>.log} in the run's directory, and all killed by
 * {@link #close} or, if this JVM is stopped first (Ctrl-C), by a shutdown hook.
 *
 * <p>Threads: started and closed by the run's main thread; the hook may run on the JVM's shutdown thread.
 */
public final class ServerProcesses implements AutoCloseable {

    private final Path dir;
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
    private final Thread hook = new Thread(this::killAll, "bench-cleanup");

    public ServerProcesses(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public Path directory() {
        return dir;
    }

    /** Starts server {@code id}: a JVM of this JVM's own java, {@code jvmOptions}, and {@code classPath}. */
    public void start(int id, List<String> jvmOptions, String classPath, String mainClass, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile()))
                .start();
        processes.put(id, process);
    }

    public List<ProcessHandle> handles() {
        return processes.values().stream().map(Process::toHandle).toList();
    }

    /** Fails, with the logs' last lines, if a server has exited. */
    public void requireAlive() {
        for (Map.Entry<Integer, Process> entry : processes.entrySet()) {
            if (!entry.getValue().isAlive()) {
                throw new IllegalStateException("server " + entry.getKey() + " exited with status "
                        + entry.getValue().exitValue() + "; " + describe());
            }
        }
    }

    /** Each server's log's last lines, for failure messages. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (int id : processes.keySet()) {
            Path log = dir.resolve("server-" + id + ".log");
            String tail;
            try {
                String all = Files.exists(log) ? Files.readString(log) : "";
                tail = all.substring(Math.max(0, all.length() - 1500));
            } catch (IOException e) {
                tail = "(log unreadable: " + e + ")";
            }
            text.append("\nserver ").append(id).append(", log ends:\n").append(tail);
        }
        return text.toString();
    }

    private void killAll() {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) killAll itself
        }
    }
}
