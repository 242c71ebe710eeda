package io.paxlog.server;

import io.paxlog.api.StateMachine;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.ReplyChannel;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.service.Service;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.server.config.Limits;
import io.paxlog.server.http.HttpApi;
import io.paxlog.server.http.ServerMetrics;
import io.paxlog.server.config.ServerAddresses;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.storage.CommitMode;
import io.paxlog.storage.FatalErrorHandler;
import io.paxlog.storage.NioFileLayer;
import io.paxlog.storage.WalFatalException;
import io.paxlog.storage.WalStorage;
import io.paxlog.transport.PeerNetwork;
import io.paxlog.transport.PeerNetworkConfig;
import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientListener;
import io.paxlog.transport.client.ClientListenerConfig;
import io.paxlog.transport.client.ClientReplyChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server: its data directory (locked), write-ahead log, loop thread, peer network and
 * client listener, started in that order and stopped in reverse.
 *
 * <p>Start: lock the data directory, open and recover the log (I/O thread mode), start the peer
 * network (messages that arrive before the loop runs are dropped: the protocol re-sends), start the
 * loop (it recovers and starts the core), accept clients, then serve HTTP ({@link HttpApi}, which
 * forwards to the leader through the client addresses). One INFO line says where it listens.
 *
 * <p>Stop ({@link #close}, e.g. from the SIGTERM shutdown hook): stop serving HTTP, stop accepting clients, stop the
 * loop (waiting clients are answered ERROR: outcome unknown), close the peer network, close the log
 * (its I/O thread commits everything queued first, so in-flight fsyncs finish), release the lock.
 *
 * <p>Failures while running: a fatal storage error, or a bug that kills the loop thread, call the
 * {@code exit} handler with {@link #EXIT_STORAGE_FATAL} or {@link #EXIT_INTERNAL_ERROR}; for a real
 * server it ends the process. During a stop they are only logged: the process is ending anyway, and
 * exiting from inside a shutdown would deadlock it.
 *
 * <p>Threads: {@link #start} and {@link #close} on the lifecycle thread (main, or the shutdown hook);
 * everything else as {@link ServerLoop} describes.
 */
public final class PaxlogServer implements AutoCloseable {

    /** A storage failure (at start or while running): the WAL's own status. */
    public static final int EXIT_STORAGE_FATAL = FatalErrorHandler.EXIT_STATUS;
    /** The loop thread died of a bug. */
    public static final int EXIT_INTERNAL_ERROR = 71;

    private static final Logger LOG = LoggerFactory.getLogger(PaxlogServer.class);

    private final int selfId;
    private final Path dataDirectory;
    private final List<AutoCloseable> openedInOrder = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ServerLoop loop;
    private PeerNetwork peers;
    private ClientListener clients;
    private HttpApi http;
    private final ServerMetrics metrics = new ServerMetrics();

    private PaxlogServer(int selfId, Path dataDirectory) {
        this.selfId = selfId;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts server {@code selfId} of {@code config}, running a fresh state machine of {@code service},
     * which must be the service the configuration names (its data directory holds that service's state).
     *
     * @param exit what to do when the server must end itself (a fatal storage error, a loop failure);
     *     {@code System::exit} for a process, something that records the status in tests. Called on the
     *     WAL's I/O thread for a storage error, on a thread of its own for a loop failure.
     * @throws DataDirLock.LockedException when another server uses the data directory
     * @throws UncheckedIOException        when a directory, file or address cannot be opened or bound
     * @throws IllegalArgumentException    when {@code service} is not the one the configuration names
     * @throws RuntimeException            what log recovery threw for a damaged log
     */
    public static PaxlogServer start(ServerConfig config, int selfId, Service<?, ?> service, IntConsumer exit) {
        if (!service.name().equals(config.cluster().service())) {
            throw new IllegalArgumentException("cluster " + config.cluster().id() + " runs service: "
                    + config.cluster().service() + ", not the " + service.name() + " service ("
                    + service.getClass().getName() + ") given to server " + selfId);
        }
        ServerAddresses self = config.cluster().server(selfId);
        PaxlogServer server = new PaxlogServer(selfId, config.dataDirectory(selfId));
        try {
            server.open(config, self, service, exit);
        } catch (RuntimeException | Error e) {
            server.closeOpened();
            throw e;
        }
        ServerStatus status = server.loop.status();
        LOG.info("server {} of cluster '{}' started: peers on {}, clients on {}, data in {} (applied slot {}, "
                        + "promised epoch {})", selfId, config.cluster().id(), server.peers.listenAddress(),
                server.clients.listenAddress() + ", HTTP on " + server.http.listenAddress(), server.dataDirectory, status.appliedSlot(), status.promised());
        return server;
    }

    private void open(ServerConfig config, ServerAddresses self, Service<?, ?> service, IntConsumer exit) {
        try {
            openedInOrder.add(DataDirLock.acquire(dataDirectory));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or lock the data directory " + dataDirectory + ": "
                    + e.getMessage(), e);
        }
        WalStorage wal;
        try {
            wal = WalStorage.open(config.walConfig(selfId), new NioFileLayer(dataDirectory), CommitMode.IO_THREAD,
                    error -> fatal(error, exit));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the write-ahead log in " + dataDirectory + ": "
                    + e.getMessage(), e);
        }
        wal.observeFsyncs(metrics.fsyncRecorder()); // before recovery, whose fsyncs count too
        openedInOrder.add(wal);

        Limits limits = config.settings().limits();
        Map<Integer, InetSocketAddress> peerAddresses = new HashMap<>();
        config.cluster().servers().stream().filter(s -> s.id() != selfId)
                .forEach(s -> peerAddresses.put(s.id(), s.peer().socketAddress()));
        PeerNetworkConfig.Limits peerLimits = PeerNetworkConfig.Limits.DEFAULTS;
        peerLimits = new PeerNetworkConfig.Limits(limits.frameBytesMax(),
                Math.max(peerLimits.queueBytesMax(), limits.frameBytesMax()), peerLimits.connectTimeout(),
                peerLimits.reconnectBackoffMin(), peerLimits.reconnectBackoffMax(), peerLimits.readIdleTimeout(),
                peerLimits.handshakeTimeout());
        peers = PeerNetwork.start(new PeerNetworkConfig(config.cluster().id(), selfId, self.peer().socketAddress(),
                peerAddresses, peerLimits), this::inbound);
        openedInOrder.add(peers);

        StateMachine machine = service.newStateMachine();
        loop = ServerLoop.start(ServerLoop.Settings.of(config, selfId), wal, peers, machine,
                service.newLeaderDuties(machine),
                metrics.observer(), failure -> failed(exit));
        openedInOrder.add(loop);
        ServerLoop started = loop;
        PeerNetwork network = peers;
        metrics.bind(started::status, peerAddresses.keySet(), network::isConnected, started::clientQueueDepth,
                started::peerQueueDepth, wal::metrics);
        metrics.bindPeerNetwork(network::counters);

        ClientListenerConfig clientConfig = new ClientListenerConfig(config.cluster().id(), selfId,
                self.client().socketAddress(), limits.frameBytesMax(),
                Math.max(ClientListenerConfig.ANSWER_QUEUE_BYTES_MAX_DEFAULT, limits.frameBytesMax()),
                ClientListenerConfig.READ_IDLE_TIMEOUT_DEFAULT);
        clients = ClientListener.start(clientConfig, this::call);
        openedInOrder.add(clients);

        // Last to start, first to stop: it forwards through the client listeners of the cluster, this one first.
        Map<Integer, InetSocketAddress> clientAddresses = new LinkedHashMap<>();
        clientAddresses.put(selfId, self.client().socketAddress());
        config.cluster().servers().forEach(s -> clientAddresses.putIfAbsent(s.id(), s.client().socketAddress()));
        http = HttpApi.start(new HttpApi.Settings(selfId, config.cluster().id(), config.cluster().service(),
                self.http().socketAddress(), clientAddresses, limits.httpBodyBytesMax(),
                limits.httpConnectionsPerAddressMax(), config.cluster().exactlyOnceWindow()), started::status,
                network::isConnected, metrics);
        openedInOrder.add(http);
    }

    /** A peer's message, on a Netty thread. */
    private void inbound(Envelope envelope) {
        ServerLoop current = loop;
        if (current != null) {
            current.deliver(envelope);
        }
    }

    /**
     * A client's call, on a Netty thread: hand it to the loop (a command to the log, a read to
     * read-index); the answer goes back from the loop thread.
     */
    private void call(ClientCall call, ClientReplyChannel reply) {
        ReplyChannel answer = metrics.timed(result -> reply.answer(toWire(call.callId(), result)));
        switch (call.kind()) {
            case COMMAND -> loop.submit(call.clientId(), call.sequence(), call.payload(), answer);
            case READ -> loop.read(call.payload(), answer);
            case REGISTER -> loop.register(answer);
            case KEEP_ALIVE -> loop.keepAlive(call.clientId(), answer);
        }
    }

    static ClientAnswer toWire(long callId, CommandAnswer answer) {
        return switch (answer.status()) {
            case APPLIED -> ClientAnswer.applied(callId, answer.slot(), answer.result());
            case NOT_LEADER -> refused(callId, ClientAnswer.Status.NOT_LEADER, answer);
            case NO_QUORUM -> refused(callId, ClientAnswer.Status.NO_QUORUM, answer);
            case BUSY -> refused(callId, ClientAnswer.Status.BUSY, answer);
            case REJECTED -> refused(callId, ClientAnswer.Status.REJECTED, answer);
            case ERROR -> refused(callId, ClientAnswer.Status.ERROR, answer);
            case SESSION_EXPIRED -> refused(callId, ClientAnswer.Status.SESSION_EXPIRED, answer);
            case KEY_REUSED -> refused(callId, ClientAnswer.Status.KEY_REUSED, answer);
        };
    }

    private static ClientAnswer refused(long callId, ClientAnswer.Status status, CommandAnswer answer) {
        return ClientAnswer.refused(callId, status, answer.leaderHint(), answer.message());
    }

    private void fatal(WalFatalException error, IntConsumer exit) {
        LOG.error("server {}: FATAL storage error: {}", selfId, error.getMessage(), error);
        if (closing.get()) {
            return; // the log has stopped acknowledging; the stop under way ends the process
        }
        System.err.println("paxlog: FATAL storage error, stopping (exit status " + EXIT_STORAGE_FATAL + "): "
                + error.getMessage());
        exit.accept(EXIT_STORAGE_FATAL);
    }

    /**
     * The loop thread died; it logged the cause with its stack trace already. This runs on that thread,
     * so it must not exit from here: {@code System.exit} blocks its caller until the shutdown hook's
     * {@link #close} returns, and that waits for the loop thread to end, up to the loop's whole stop
     * timeout (30 s). The exit goes to a thread of its own instead; the loop thread returns at once, and
     * the hook finds it gone and stops the rest.
     */
    private void failed(IntConsumer exit) {
        if (closing.get()) {
            return;
        }
        // The loop logged the cause with its stack trace; this line only says what happens next.
        System.err.println("paxlog: server " + selfId + "'s loop failed (a bug; see the log), stopping (exit status "
                + EXIT_INTERNAL_ERROR + ")");
        Thread exiting = new Thread(() -> exit.accept(EXIT_INTERNAL_ERROR), "paxlog-exit-" + selfId);
        exiting.setDaemon(false); // keeps the JVM up until it has exited with the status
        exiting.start();
    }

    public int serverId() {
        return selfId;
    }

    public ServerStatus status() {
        return loop.status();
    }

    public InetSocketAddress peerAddress() {
        return peers.listenAddress();
    }

    public InetSocketAddress clientAddress() {
        return clients.listenAddress();
    }

    public InetSocketAddress httpAddress() {
        return http.listenAddress();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Stops everything, newest first (see the class comment). Idempotent; logs what failed to close. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        LOG.info("server {}: stopping", selfId);
        closeOpened();
        LOG.info("server {}: stopped", selfId);
        closed.countDown();
    }

    private void closeOpened() {
        for (int i = openedInOrder.size() - 1; i >= 0; i--) {
            AutoCloseable part = openedInOrder.get(i);
            try {
                part.close();
            } catch (Exception e) {
                LOG.error("server {}: closing {} failed: {}", selfId, part.getClass().getSimpleName(), e.getMessage(), e);
            }
        }
        openedInOrder.clear();
    }

    private void awaitQuietly() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
