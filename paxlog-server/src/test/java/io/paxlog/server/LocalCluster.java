package io.paxlog.server;

import io.paxlog.api.service.LeaderDuties;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.lock.LockExpiry;
import io.paxlog.lock.LockMachine;
import io.paxlog.core.runtime.ReplyChannel;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.storage.CommitMode;
import io.paxlog.storage.NioFileLayer;
import io.paxlog.storage.WalStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.Replica;
import java.util.function.Supplier;
import io.paxlog.api.StateMachine;

/**
 * Servers in one JVM, each with its own loop thread and real write-ahead log in a temporary
 * directory, joined by an in-memory network that can cut a server off. The network delivers on the
 * sender's loop thread straight into the receiver's queue, as the Netty transport will from its own
 * threads.
 */
final class LocalCluster implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    private final ServerConfig config;
    private final Path root;
    private final Supplier<StateMachine> machines;
    private final Map<Integer, ServerLoop> loops = new ConcurrentHashMap<>();
    private final Map<Integer, ServerLoop> stopping = new ConcurrentHashMap<>();
    private final Map<Integer, WalStorage> wals = new ConcurrentHashMap<>();
    private final Set<Integer> cut = ConcurrentHashMap.newKeySet();
    private final List<Throwable> failures = new ArrayList<>();
    private final Map<Integer, AtomicInteger> restores = new ConcurrentHashMap<>();
    private final AtomicLong nextClient = new AtomicLong(1);

    LocalCluster(Path root, int servers, Supplier<StateMachine> machines, String extraSettings) {
        this(root, servers, machines, extraSettings, 150, 300);
    }

    LocalCluster(Path root, int servers, Supplier<StateMachine> machines, String extraSettings,
            long electionTimeoutMinMs, long electionTimeoutMaxMs) {
        this.root = root;
        this.machines = machines;
        StringBuilder yaml = new StringBuilder("cluster:\n  id: local\n  service: journal\n  servers:\n");
        for (int id = 1; id <= servers; id++) {
            yaml.append("    - {id: ").append(id).append(", peer: \"127.0.0.1:").append(19000 + id)
                    .append("\", client: \"127.0.0.1:").append(17000 + id).append("\", http: \"127.0.0.1:")
                    .append(18000 + id).append("\"}\n");
        }
        yaml.append("server:\n  dataDir: server-{id}\n  electionTimeoutMinMs: ").append(electionTimeoutMinMs)
                .append("\n  electionTimeoutMaxMs: ").append(electionTimeoutMaxMs).append('\n')
                .append("  heartbeatIntervalMs: 30\n  tickIntervalMs: 5\n  walSegmentBytes: 1048576\n")
                .append(extraSettings);
        this.config = ServerConfig.parse(yaml.toString(), "local cluster", root, null);
    }

    ServerConfig config() {
        return config;
    }

    ServerLoop start(int id) {
        return start(id, machines.get());
    }

    ServerLoop start(int id, StateMachine machine) {
        WalStorage wal;
        try {
            wal = WalStorage.open(config.walConfig(id), new NioFileLayer(config.dataDirectory(id)),
                    CommitMode.IO_THREAD, error -> {
                        synchronized (failures) {
                            failures.add(error);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Transport transport = envelope -> {
            ServerLoop to = loops.get(envelope.to());
            if (to != null && !cut.contains(envelope.from()) && !cut.contains(envelope.to())) {
                to.deliver(envelope);
            }
        };
        ReplicaLoop.Observer countRestores = new ReplicaLoop.Observer() {
            @Override
            public void restored(Replica replica, Snapshot snapshot) {
                restores.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        ServerLoop loop = ServerLoop.start(ServerLoop.Settings.of(config, id), wal, transport, machine,
                machine instanceof LockMachine locks ? new LockExpiry(locks) : LeaderDuties.NONE,
                countRestores, failure -> {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                });
        wals.put(id, wal);
        loops.put(id, loop);
        return loop;
    }

    void startAll() {
        config.cluster().serverIds().forEach(this::start);
    }

    /** Stops a server as SIGTERM would: the loop, then the log (which finishes its writes). */
    void stop(int id) {
        ServerLoop loop = loops.get(id);
        if (loop != null) {
            stopping.put(id, loop);
            loops.remove(id);
            loop.close();
            stopping.remove(id);
        }
        WalStorage wal = wals.remove(id);
        if (wal != null) {
            wal.close();
        }
    }

    void cut(int id) {
        cut.add(id);
    }

    void heal(int id) {
        cut.remove(id);
    }

    ServerLoop server(int id) {
        ServerLoop loop = loops.get(id);
        if (loop == null) {
            throw new IllegalArgumentException("server " + id + " is not running");
        }
        return loop;
    }

    /** Waits for one running, connected server to lead and every other connected one to know it. */
    ServerLoop awaitLeader() {
        int[] leader = {0};
        Await.until(WAIT, "a leader known to every connected server", () -> {
            List<ServerLoop> connected = loops.values().stream().filter(l -> !cut.contains(l.serverId())).toList();
            List<ServerLoop> leaders = connected.stream().filter(l -> l.status().isLeader()).toList();
            if (leaders.size() != 1) {
                return false;
            }
            leader[0] = leaders.get(0).serverId();
            return connected.stream().allMatch(l -> l.status().leaderHint() == leader[0]);
        }, this::describe);
        return server(leader[0]);
    }

    CompletableFuture<CommandAnswer> submit(int serverId, long clientId, long sequence, byte[] payload) {
        CompletableFuture<CommandAnswer> answer = new CompletableFuture<>();
        server(serverId).submit(clientId, sequence, payload, reply -> {
            if (!answer.complete(reply)) {
                throw new AssertionError("answered twice: " + answer.join() + " then " + reply);
            }
        });
        return answer;
    }

    /** Submits to a server that may be stopping: the loop object stays reachable while it stops. */
    CompletableFuture<CommandAnswer> submitIfRunning(int serverId, long clientId, long sequence) {
        ServerLoop loop = stopping.getOrDefault(serverId, loops.get(serverId));
        CompletableFuture<CommandAnswer> answer = new CompletableFuture<>();
        loop.submit(clientId, sequence, new byte[] {1}, answer::complete);
        return answer;
    }

    static CommandAnswer get(CompletableFuture<CommandAnswer> answer) {
        try {
            return answer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer within " + WAIT.toMillis() + " ms", e);
        }
    }

    /** How many times server {@code id}'s state was restored from a snapshot, over all its starts. */
    int restores(int id) {
        AtomicInteger count = restores.get(id);
        return count == null ? 0 : count.get();
    }

    /**
     * A client id to submit under: a session opened through the log (docs/protocol.md#client-sessions)
     * when some running server leads, as a real client would; else an id of no session, which a server
     * that leads would refuse but which tests of refusals (no leader, not the leader) never get that far
     * with.
     */
    long newClientId() {
        for (ServerLoop loop : loops.values()) {
            CompletableFuture<CommandAnswer> opened = new CompletableFuture<>();
            loop.register(opened::complete);
            CommandAnswer answer = get(opened);
            if (answer.status() == CommandAnswer.Status.APPLIED) {
                return java.nio.ByteBuffer.wrap(answer.result()).getLong();
            }
        }
        return nextClient.getAndIncrement();
    }

    List<Throwable> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    String describe() {
        StringBuilder text = new StringBuilder();
        loops.values().forEach(l -> text.append(l.status()).append(cut.contains(l.serverId()) ? " (cut)" : "")
                .append("; "));
        return text.toString();
    }

    Path root() {
        return root;
    }

    @Override
    public void close() {
        for (Integer id : List.copyOf(loops.keySet())) {
            stop(id);
        }
    }
}
