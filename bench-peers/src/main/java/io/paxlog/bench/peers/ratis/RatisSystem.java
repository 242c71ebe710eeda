package io.paxlog.bench.peers.ratis;

import io.paxlog.bench.BenchCluster;
import io.paxlog.bench.BenchSystem;
import io.paxlog.bench.Ports;
import io.paxlog.bench.ServerProcesses;
import io.paxlog.bench.Target;
import io.paxlog.bench.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Apache Ratis with the in-memory kv state machine ({@link RatisKvStateMachine}) and the configuration
 * of {@link RatisConfig}, driven through Ratis's asynchronous client ({@code client.async()}): puts are
 * {@code send}, reads {@code sendReadOnly} (linearizable: ReadIndex).
 */
public final class RatisSystem implements BenchSystem {

    private static final Duration READY_BOUND = Duration.ofSeconds(120);

    private final SupportedRpcType rpc = RatisConfig.rpc(System.getProperty(RatisConfig.RPC_PROPERTY, "GRPC"));

    @Override
    public boolean supports(Workload workload) {
        return workload != Workload.HTTP_WRITE;
    }

    @Override
    public BenchCluster start(Path dir, int servers, List<String> jvmOptions) throws Exception {
        List<String> addresses = Ports.free(servers).stream().map(p -> "127.0.0.1:" + p).toList();
        List<String> overrides = RatisConfig.overrides();
        ServerProcesses processes = new ServerProcesses(dir);
        try {
            for (int id = 1; id <= servers; id++) {
                List<String> args = new java.util.ArrayList<>(List.of(Integer.toString(id), String.join(",", addresses),
                        dir.resolve("server-" + id).toString(), rpc.name()));
                args.addAll(overrides);
                processes.start(id, jvmOptions, System.getProperty("java.class.path"), RatisServerMain.class.getName(), args);
            }
            Cluster cluster = new Cluster(processes, RatisConfig.group(addresses));
            cluster.awaitReady();
            return cluster;
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
    }

    /**
     * A reply that is not a success carries an exception (not leader, a state machine error...) that does
     * not always say whether the request was applied: it is a failure of unknown outcome, never "refused".
     */
    static boolean succeeded(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new java.util.concurrent.CompletionException(reply.getException() != null ? reply.getException()
                    : new IllegalStateException("a reply that is not a success: " + reply));
        }
        return true;
    }

    /** Threads: the run's main thread; Ratis's client is thread-safe. */
    private final class Cluster implements BenchCluster {
        private final ServerProcesses processes;
        private final RaftGroup group;

        Cluster(ServerProcesses processes, RaftGroup group) {
            this.processes = processes;
            this.group = group;
        }

        RaftClient client(int inFlight) {
            return RaftClient.newBuilder().setProperties(RatisConfig.client(rpc, inFlight)).setRaftGroup(group).build();
        }

        /** Ready once a put is answered: a leader is elected and its log takes writes. */
        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + READY_BOUND.toNanos();
            try (RaftClient client = client(1)) {
                while (true) {
                    processes.requireAlive();
                    try {
                        RaftClientReply reply = client.io().send(Message.valueOf(
                                RatisKvStateMachine.put("ready".getBytes(StandardCharsets.UTF_8), new byte[1])));
                        if (reply.isSuccess()) {
                            return;
                        }
                    } catch (IOException e) {
                        // no leader yet
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Ratis took no write within " + READY_BOUND.toSeconds() + " s; "
                                + processes.describe());
                    }
                    Thread.sleep(200); // between attempts while the first election runs
                }
            }
        }

        @Override
        public List<ProcessHandle> servers() {
            return processes.handles();
        }

        @Override
        public Target connect(Workload workload, int inFlight) {
            RaftClient client = client(inFlight);
            return new Target() {
                @Override
                public CompletableFuture<Boolean> put(byte[] key, byte[] value) {
                    return client.async().send(Message.valueOf(RatisKvStateMachine.put(key, value)))
                            .thenApply(RatisSystem::succeeded);
                }

                @Override
                public CompletableFuture<Boolean> get(byte[] key) {
                    return client.async().sendReadOnly(Message.valueOf(ByteString.copyFrom(key)))
                            .thenApply(reply -> succeeded(reply) && !reply.getMessage().getContent().isEmpty());
                }

                @Override
                public void close() {
                    try {
                        client.close();
                    } catch (IOException e) {
                        // the run is over; the servers are killed next
                    }
                }
            };
        }

        @Override
        public Map<String, Double> counters() {
            return Map.of(); // Ratis's metrics are not exposed to the harness
        }

        @Override
        public void close() {
            processes.close();
        }
    }
}
