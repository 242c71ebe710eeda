package io.paxlog.cli;

import io.paxlog.server.config.DemoCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code paxlog demo}: a five-server cluster on this machine, as five separate processes of this same
 * jar ({@code paxlog server}), each logging to {@code DATA/server-i.log}. Shows leader changes as they
 * happen by following the logs' leadership lines (written by the server's protocol event log), and
 * stops all five on Ctrl-C. The data stays in {@code DATA}, so running it again continues where the
 * last run stopped.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs a 5-server cluster on this machine; Ctrl-C stops it.",
            "Starts 5 server processes on 127.0.0.1, data and logs under --data, shows leader changes as",
            "they happen, and stops all five on Ctrl-C. Running it again reuses the data.",
            "Server i listens for peers on base+1000+i, clients on base-1000+i, HTTP on base+i (base 8080)."
        })
final class DemoCommand implements Callable<Integer> {

    private static final long POLL_MILLIS = 200;
    private static final long STOP_WAIT_SECONDS = 15;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** The lines of the servers' logs worth showing here; see the server's ProtocolEventLog. */
    private static final List<String> SHOWN = List.of("became leader at epoch", "stepped down from epoch",
            " ERROR ", "FATAL");

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "8080",
            description = "Server i serves HTTP on P+i, peers on P+1000+i, clients on P-1000+i (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--service", paramLabel = "NAME", defaultValue = "kv",
            description = "The service the servers run: kv, lock, journal, or any other on the class path (default:"
                    + " ${DEFAULT-VALUE}). A data"
                    + " directory keeps the service it was started with.")
    String service;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "Where the configuration, the servers' data and their logs go (default: ./${DEFAULT-VALUE}).")
    Path data;

    /** One server process and how far its log has been read. */
    /** Set by the Ctrl-C hook: servers exiting from now on are expected, not news. */
    private static volatile boolean stopping;

    private static final class Child {
        final int id;
        final Process process;
        final Path log;
        long offset;
        final StringBuilder partial = new StringBuilder();
        boolean exitReported;

        Child(int id, Process process, Path log, long offset) {
            this.id = id;
            this.process = process;
            this.log = log;
            this.offset = offset;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream out = System.out;
        try {
            DemoCluster.requireValidBasePort(basePort);
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog demo: " + e.getMessage());
            return 2;
        }
        Path dataDir = data.toAbsolutePath().normalize();
        String previous = DemoCluster.previousService(dataDir);
        if (previous != null && !previous.equals(service)) {
            System.err.println("paxlog demo: " + dataDir + " holds a " + previous + " cluster's data, which the " + service
                    + " service cannot read; run `paxlog demo --service " + previous + "`, or give another --data DIR"
                    + " (or remove " + dataDir + ")");
            return 2;
        }
        Path config;
        try {
            config = DemoCluster.write(dataDir, basePort, service);
        } catch (IllegalArgumentException e) {
            System.err.println("paxlog demo: " + e.getMessage());
            return 2;
        }
        String classPath = ownClassPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        List<Child> children = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(children, dataDir, out),
                "paxlog-demo-stop"));
        for (int id = 1; id <= DemoCluster.SERVERS; id++) {
            Path log = dataDir.resolve("server-" + id + ".log");
            long offset = Files.exists(log) ? Files.size(log) : 0;
            Process process = new ProcessBuilder(java, "-ea", "-cp", classPath, Main.class.getName(), "server",
                    "--config", config.toString(), "--id", Integer.toString(id))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            synchronized (children) {
                children.add(new Child(id, process, log, offset));
            }
        }

        out.println("paxlog demo: 5 servers of cluster '" + DemoCluster.CLUSTER_ID + "' running the " + service
                + " service on 127.0.0.1, data in " + dataDir);
        for (Child child : children) {
            out.printf("  server %d  pid %-7d clients 127.0.0.1:%d  peers 127.0.0.1:%d  http 127.0.0.1:%d  log %s%n",
                    child.id, child.process.pid(), DemoCluster.clientPort(basePort, child.id),
                    DemoCluster.peerPort(basePort, child.id), DemoCluster.httpPort(basePort, child.id),
                    dataDir.relativize(child.log));
        }
        out.println();
        String basePortOption = basePort == DemoCluster.BASE_PORT_DEFAULT ? "" : " --base-port " + basePort;
        out.println("Things to try (in another terminal):");
        thingsToTry(out, service, basePort, basePortOption);
        out.println("  ./paxlog status" + basePortOption + "                 # every server: role, epoch, slots, lag");
        out.println("  curl -s http://127.0.0.1:" + DemoCluster.httpPort(basePort, 1) + "/metrics | grep ^paxlog_   # Prometheus metrics");
        out.println("  tail -f " + dataDir.resolve("server-1.log") + "      # what one server says");
        out.println("  kill -9 <pid of the leader>      # a new leader is elected within about 2 s; watch below");
        out.println("  kill -STOP <pid> / kill -CONT <pid>   # pause a server and let it catch up");
        out.println("  ./paxlog wal dump " + dataDir.resolve("server-1") + "      # the write-ahead log, record by record");
        out.println();
        out.println("Leader changes (Ctrl-C stops all five):");
        out.flush();

        while (true) {
            int alive = 0;
            synchronized (children) {
                for (Child child : children) {
                    follow(child, out);
                    if (child.process.isAlive()) {
                        alive++;
                    } else if (!child.exitReported && !stopping) {
                        child.exitReported = true;
                        follow(child, out);
                        out.printf("%s  server %d exited with status %d; see %s%n", LocalTime.now().format(TIME),
                                child.id, child.process.exitValue(), child.log);
                    }
                }
            }
            out.flush();
            if (alive == 0) {
                out.println("paxlog demo: every server has exited");
                return 1;
            }
            Thread.sleep(POLL_MILLIS); // the logs are files: polling them is the way to follow them
        }
    }

    /** The lines to try for {@code service}: each works as printed against this demo. */
    static void thingsToTry(PrintStream out, String service, int basePort, String basePortOption) {
        String first = "http://127.0.0.1:" + DemoCluster.httpPort(basePort, 1);
        String second = "http://127.0.0.1:" + DemoCluster.httpPort(basePort, 2);
        switch (service) {
            case "kv" -> {
                out.println("  curl -i -X PUT --data-binary hello " + first + "/v1/kv/greeting   # 200 {\"version\":N}, any server");
                out.println("  curl -i " + second + "/v1/kv/greeting                # 200 hello, ETag: \"N\"");
                out.println("  curl -i -X PUT -H 'If-None-Match: *' --data-binary hi " + first
                        + "/v1/kv/greeting   # 412: it exists");
                out.println("  curl -s '" + first + "/v1/kv?prefix=gr&limit=10'   # [{\"key\":...,\"value\":...,\"version\":N}]");
                out.println("  curl -i -X DELETE " + second + "/v1/kv/greeting           # 200, then 404");
                out.println("  ./paxlog kv put" + basePortOption + " color blue && ./paxlog kv get" + basePortOption
                        + " color   # the same through the CLI");
            }
            case "lock" -> {
                out.println("  curl -i -X POST -d '{\"owner\":\"alice\",\"ttlMs\":60000}' " + first
                        + "/v1/locks/printer   # 200 {\"token\":T,...}");
                out.println("  curl -i -X POST -d '{\"owner\":\"bob\",\"ttlMs\":60000}' " + second
                        + "/v1/locks/printer     # 409 held by alice");
                out.println("  curl -i " + second + "/v1/locks/printer             # holder, token, remaining ttl");
                out.println("  curl -i -X DELETE '" + first + "/v1/locks/printer?owner=alice'   # 200");
                out.println("  ./paxlog lock acquire" + basePortOption + " printer --owner bob --ttl 30s   # the same through the CLI");
            }
            case "journal" -> {
                out.println("  ./paxlog journal append" + basePortOption + " hello   # one command through the leader: slot=N index=M");
                out.println("  ./paxlog journal read" + basePortOption + "           # every entry, read through the log");
            }
            // A service paxlog does not ship: only its own codec knows its payloads; the generic endpoints carry them.
            default -> {
                out.println("  curl -s --data-binary @command.bin " + first + "/v1/service/command   # a " + service
                        + " command's bytes in, its result's bytes out, any server");
                out.println("  curl -s --data-binary @query.bin " + second + "/v1/service/query     # a read-only query, by read-index");
            }
        }
    }

    /** Prints the leadership and error lines written to the child's log since the last call. */
    private static void follow(Child child, PrintStream out) {
        byte[] fresh;
        try (RandomAccessFile file = new RandomAccessFile(child.log.toFile(), "r")) {
            long length = file.length();
            if (length <= child.offset) {
                return;
            }
            fresh = new byte[(int) Math.min(length - child.offset, 1 << 20)];
            file.seek(child.offset);
            file.readFully(fresh);
            child.offset += fresh.length;
        } catch (IOException e) {
            return; // not created yet, or being rotated: try again next round
        }
        child.partial.append(new String(fresh, StandardCharsets.UTF_8));
        int newline;
        while ((newline = child.partial.indexOf("\n")) >= 0) {
            String line = child.partial.substring(0, newline);
            child.partial.delete(0, newline + 1);
            if (SHOWN.stream().anyMatch(line::contains)) {
                int message = line.indexOf(" - ");
                out.printf("%s  %s%n", LocalTime.now().format(TIME),
                        message >= 0 ? line.substring(message + 3) : line);
            }
        }
    }

    /** Ctrl-C: SIGTERM to each server (a clean stop), then SIGKILL to any still running after a while. */
    private static void stopAll(List<Child> children, Path dataDir, PrintStream out) {
        List<Child> all;
        synchronized (children) {
            all = List.copyOf(children);
        }
        stopping = true;
        out.println();
        out.println("paxlog demo: stopping the servers...");
        all.forEach(child -> child.process.destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        for (Child child : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!child.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    out.println("  server " + child.id + " did not stop in time; killing it");
                    child.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                child.process.destroyForcibly();
            }
        }
        out.println("paxlog demo: stopped; the data stays in " + dataDir + " for the next run");
        out.flush();
    }

    /**
     * The jar this command runs from, or the class path when run from classes (tests, an IDE) or with more
     * than the jar (a user's service jar, given by {@code PAXLOG_CLASSPATH}): the servers need it all.
     */
    private static String ownClassPath() {
        String classPath = System.getProperty("java.class.path");
        if (classPath.contains(java.io.File.pathSeparator)) {
            return classPath;
        }
        try {
            Path location = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(location)) {
                return location.toString();
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the class path
        }
        return classPath;
    }
}
