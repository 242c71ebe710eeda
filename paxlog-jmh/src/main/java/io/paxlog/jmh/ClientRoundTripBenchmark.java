package io.paxlog.jmh;

import io.paxlog.client.PaxlogClient;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvService;
import io.paxlog.server.EmbeddedCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A client round trip that touches no disk: a read-index {@code get} through the Java client to the
 * leader of a three-server {@link EmbeddedCluster} on loopback (client to leader, the leader's confirming
 * round to its followers, the state machine's query, the answer back). Everything runs in this one JVM,
 * so the figure is the round trip's CPU and hand-offs, not a production layout: see {@code paxlog bench}
 * for that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClientRoundTripBenchmark {

    private Path dir;
    private EmbeddedCluster cluster;
    private PaxlogClient client;
    private final byte[] get = KvCommands.get("k".getBytes(StandardCharsets.UTF_8));

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("paxlog-jmh-cluster-");
        cluster = EmbeddedCluster.builder().servers(3).service(new KvService()).dataDir(dir).start();
        cluster.awaitLeader(Duration.ofSeconds(30));
        client = cluster.client();
        client.call(KvCommands.put("k".getBytes(StandardCharsets.UTF_8), new byte[100]));
    }

    @Benchmark
    public Object readIndexGet() throws Exception {
        return client.queryAndWait(get);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        client.close();
        cluster.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
