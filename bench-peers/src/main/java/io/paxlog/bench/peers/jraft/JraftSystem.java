package io.paxlog.bench.peers.jraft;

import com.alipay.sofa.jraft.rhea.client.DefaultRheaKVStore;
import com.alipay.sofa.jraft.rhea.options.RheaKVStoreOptions;
import com.alipay.sofa.jraft.rhea.options.configured.RheaKVStoreOptionsConfigured;
import io.paxlog.bench.BenchCluster;
import io.paxlog.bench.BenchSystem;
import io.paxlog.bench.Ports;
import io.paxlog.bench.ServerProcesses;
import io.paxlog.bench.Target;
import io.paxlog.bench.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * SOFAJRaft's RheaKV (see {@link JraftServerMain} for the servers' configuration), driven through its own
 * client, {@code DefaultRheaKVStore} without a store engine, with its defaults: client batching on (puts
 * and gets are coalesced by a Disruptor before they are sent), reads {@code get(key, readOnlySafe = true)},
 * jraft's ReadIndex.
 */
public final class JraftSystem implements BenchSystem {

    private static final Duration READY_BOUND = Duration.ofSeconds(120);

    @Override
    public boolean supports(Workload workload) {
        return workload != Workload.HTTP_WRITE;
    }

    @Override
    public BenchCluster start(Path dir, int servers, List<String> jvmOptions) throws Exception {
        List<Integer> ports = Ports.free(servers);
        String all = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        ServerProcesses processes = new ServerProcesses(dir);
        try {
            for (int id = 1; id <= servers; id++) {
                processes.start(id, jvmOptions, System.getProperty("java.class.path"), JraftServerMain.class.getName(),
                        List.of("127.0.0.1:" + ports.get(id - 1), all, dir.resolve("server-" + id).toString()));
            }
            Cluster cluster = new Cluster(processes, all);
            cluster.awaitReady();
            return cluster;
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
    }

    /** Threads: the run's main thread; RheaKV's clients are thread-safe. */
    private static final class Cluster implements BenchCluster {
        private final ServerProcesses processes;
        private final String servers;

        Cluster(ServerProcesses processes, String servers) {
            this.processes = processes;
            this.servers = servers;
        }

        DefaultRheaKVStore client() {
            RheaKVStoreOptions options = RheaKVStoreOptionsConfigured.newConfigured()
                    .withClusterName(JraftServerMain.CLUSTER)
                    .withInitialServerList(servers)
                    .withPlacementDriverOptions(JraftServerMain.placementDriver(servers))
                    .config();
            DefaultRheaKVStore kv = new DefaultRheaKVStore();
            if (!kv.init(options)) {
                throw new IllegalStateException("the RheaKV client did not start");
            }
            return kv;
        }

        /** Ready once a put is answered: a leader is elected and its log takes writes. */
        void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + READY_BOUND.toNanos();
            DefaultRheaKVStore kv = client();
            try {
                while (true) {
                    processes.requireAlive();
                    try {
                        if (Boolean.TRUE.equals(kv.put("ready".getBytes(StandardCharsets.UTF_8), new byte[1])
                                .get(5, java.util.concurrent.TimeUnit.SECONDS))) {
                            return;
                        }
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // no leader yet
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("RheaKV took no write within " + READY_BOUND.toSeconds() + " s; "
                                + processes.describe());
                    }
                    Thread.sleep(200); // between attempts while the first election runs
                }
            } finally {
                kv.shutdown();
            }
        }

        @Override
        public List<ProcessHandle> servers() {
            return processes.handles();
        }

        @Override
        public Target connect(Workload workload, int inFlight) {
            DefaultRheaKVStore kv = client();
            return new Target() {
                @Override
                public CompletableFuture<Boolean> put(byte[] key, byte[] value) {
                    // RheaKV answers a put true or fails it; a false would say nothing of whether it was
                    // applied, so it is a failure of unknown outcome, not "refused".
                    return kv.put(key, value).thenApply(written -> {
                        if (!Boolean.TRUE.equals(written)) {
                            throw new java.util.concurrent.CompletionException(new IllegalStateException("put answered " + written));
                        }
                        return true;
                    });
                }

                @Override
                public CompletableFuture<Boolean> get(byte[] key) {
                    return kv.get(key, true).thenApply(value -> value != null);
                }

                @Override
                public void close() {
                    kv.shutdown();
                }
            };
        }

        @Override
        public Map<String, Double> counters() {
            return Map.of(); // RheaKV's metrics are not exposed to the harness
        }

        @Override
        public void close() {
            processes.close();
        }
    }
}
