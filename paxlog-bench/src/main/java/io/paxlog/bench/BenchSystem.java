package io.paxlog.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A system the benchmark can start and drive. Found by name through {@link #named}, by class name rather
 * than a {@code ServiceLoader}: the peers' adapters run in a JVM without paxlog's client on its class
 * path (their own Netty versions would clash with it), so no adapter may be loaded unless it is asked for.
 */
public interface BenchSystem {

    /** The systems known by name and the adapter class of each. */
    Map<String, String> KNOWN = Map.of(
            "paxlog", "io.paxlog.bench.paxlog.PaxlogSystem",
            "sofajraft", "io.paxlog.bench.peers.jraft.JraftSystem",
            "ratis", "io.paxlog.bench.peers.ratis.RatisSystem");

    /** Whether this system can run {@code workload} (the peers have no HTTP API). */
    boolean supports(Workload workload);

    /**
     * Starts a fresh cluster of {@code servers} server processes, each a JVM with {@code jvmOptions}, with its
     * data under {@code dir}; returns once it can serve (a leader is elected).
     */
    BenchCluster start(Path dir, int servers, List<String> jvmOptions) throws Exception;

    static BenchSystem named(String name) {
        String className = KNOWN.get(name);
        if (className == null) {
            throw new IllegalArgumentException("unknown system " + name + "; known: " + KNOWN.keySet());
        }
        try {
            return (BenchSystem) Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the adapter of " + name + " (" + className + ") is not on the class path"
                    + (name.equals("paxlog") ? "" : "; build bench-peers: mvn -B -Ppeers -pl bench-peers -am package -DskipTests"), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the adapter of " + name, e);
        }
    }
}
