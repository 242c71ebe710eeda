package io.paxlog.server;

import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.CommandAnswer.Status;
import io.paxlog.core.runtime.Node;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.core.runtime.SessionConfig;
import io.paxlog.core.runtime.ReplyChannel;
import io.paxlog.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of one server and its queues: everything that decides lives in the {@link Node} it owns
 * (the same class the simulator drives); this class only hands other threads' input to it, tells it the
 * time, and publishes its status.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li><b>Loop thread</b> ({@code paxlog-loop-<id>}): builds the node (which recovers storage), then
 *       repeatedly takes what other threads queued and hands it to the node, and ticks it every {@code
 *       tickIntervalMs} with the milliseconds of {@link System#nanoTime()} (the node reads no clock).
 *   <li><b>Network threads</b> call {@link #deliver}, {@link #submit} and {@link #read}. They only
 *       enqueue and never block: the queues are bounded; a full peer queue drops the message (the
 *       protocol re-sends), a full client queue answers {@link Status#BUSY} at once.
 *   <li><b>WAL I/O thread</b> reports durability through callbacks that only record the highest durable
 *       batch id (or saved snapshot slot) and wake the loop, which hands it to the node itself.
 *   <li><b>Any thread</b> may read {@link #status()} (published after each round) and call {@link #close()}.
 * </ul>
 *
 * <p>One round: durability first (it releases replies held by Rule D), then up to {@link #BATCH_MAX} peer
 * messages (first, so a flood of clients cannot starve the protocol), then up to {@link #BATCH_MAX} client
 * calls, the commands among them in one step of the node (so in one log write and one store per peer),
 * then a tick if one is due; it parks until the next tick when nothing is queued.
 *
 * <p>Failure: an exception on the loop thread is a bug (a broken invariant, or a broken state machine).
 * The loop stops, every waiting client is answered {@link Status#ERROR} (outcome unknown), and the
 * {@code onFailure} handler is told, which for a real server ends the process.
 */
public final class ServerLoop implements AutoCloseable {

    /** Most messages, or calls, taken from one queue in one round. */
    static final int BATCH_MAX = 1024;
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_MILLIS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(ServerLoop.class);

    /**
     * What the loop needs besides its parts.
     *
     * @param node           the node's configuration
     * @param tickIntervalMs how often the node is told the time
     * @param clientQueueMax client calls queued for the loop before further calls are answered BUSY
     * @param peerQueueMax   peer messages queued for the loop before further ones are dropped
     */
    public record Settings(Node.Config node, long tickIntervalMs, int clientQueueMax, int peerQueueMax) {

        public Settings {
            Objects.requireNonNull(node, "node");
            if (tickIntervalMs < 1 || clientQueueMax < 1 || peerQueueMax < 1) {
                throw new IllegalArgumentException("loop settings must be positive: " + tickIntervalMs + ", "
                        + clientQueueMax + ", " + peerQueueMax);
            }
        }

        public static Settings of(ServerConfig config, int selfId) {
            var limits = config.settings().limits();
            return new Settings(new Node.Config(config.replicaConfig(selfId), config.cluster().exactlyOnceWindow(),
                    limits.commandBytesMax(), new ReplicaLoop.SnapshotPolicy(config.settings().snapshotEverySlots()),
                    new SessionConfig(config.cluster().sessions(), SessionConfig.CLOCK_INTERVAL_MS_DEFAULT)),
                    config.settings().tickIntervalMs(), limits.clientQueueMax(), limits.peerQueueMax());
        }
    }

    private final Settings settings;
    private final int selfId;
    private final Node.Builder parts;
    private final Consumer<Throwable> onFailure;
    private final long originNanos = System.nanoTime();
    private final Thread thread;
    private final LoopInbox inbox;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile ServerStatus status;
    private volatile Throwable failure;

    // Loop thread only.
    private Node node;
    private final ProtocolEventLog events;
    private long durableReported;
    private long snapshotReported;
    private final List<Envelope> peerBatch = new ArrayList<>(BATCH_MAX);
    private final List<LoopInbox.Call> clientBatch = new ArrayList<>(BATCH_MAX);
    private final List<Node.CommandCall> commandBatch = new ArrayList<>(BATCH_MAX);

    private ServerLoop(Settings settings, Storage storage, Transport transport, StateMachine machine,
            LeaderDuties duties, ReplicaLoop.Observer observer, Consumer<Throwable> onFailure) {
        this.settings = settings;
        this.selfId = settings.node().replica().selfId();
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.thread = new Thread(this::run, "paxlog-loop-" + selfId);
        this.inbox = new LoopInbox(selfId, settings.peerQueueMax(), settings.clientQueueMax(),
                () -> LockSupport.unpark(thread));
        this.events = new ProtocolEventLog(selfId, settings.node().replica().catchUpSlotsMax());
        this.parts = Node.builder(settings.node()).storage(storage, inbox::durable, inbox::snapshotSaved)
                .transport(transport).stateMachine(machine, duties).random(new SplittableRandom())
                .observer(events.andThen(Objects.requireNonNull(observer, "observer"), () -> node != null));
    }

    /**
     * Starts the loop thread, which recovers {@code storage} (not yet recovered) and starts the node;
     * returns once it runs.
     *
     * @param machine   an empty state machine; {@code duties} the service's leader duties over it
     * @param observer  sees every step after the server's own logging; {@link ReplicaLoop.Observer#NONE}
     * @param onFailure called once, on the loop thread, if the loop dies of an exception
     * @throws RuntimeException what recovery threw (a damaged log, an unreadable disk)
     */
    public static ServerLoop start(Settings settings, Storage storage, Transport transport, StateMachine machine,
            LeaderDuties duties, ReplicaLoop.Observer observer, Consumer<Throwable> onFailure) {
        ServerLoop server = new ServerLoop(settings, storage, transport, machine, duties, observer, onFailure);
        server.thread.start();
        try {
            server.started.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("server " + server.selfId + " failed to start: " + cause, cause);
        } catch (TimeoutException e) {
            server.close();
            throw new IllegalStateException("server " + server.selfId + " did not finish recovery within "
                    + START_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while server " + server.selfId + " started");
        }
        return server;
    }

    // ---- Entry points for other threads ----

    /**
     * A message from a peer. Any thread; never blocks. Drops it when the queue is full, the loop
     * stopped, or it is not addressed from a member to this server (the transport should already have
     * refused such a frame; the core must never see one).
     */
    public void deliver(Envelope envelope) {
        ReplicaConfig replica = settings.node().replica();
        if (envelope.to() != selfId || envelope.from() == selfId || replica.indexOf(envelope.from()) < 0) {
            LOG.warn("server {}: dropped a message not from a peer to this server: {}", selfId, envelope);
            return;
        }
        if (!stopping) {
            inbox.offerPeer(envelope);
        }
    }

    /**
     * A client's command. Any thread; never blocks. {@code reply} gets exactly one answer: from the
     * loop thread (the node validates the call, then answers once the command is applied or refused),
     * or at once from this thread when the queue is full or the server stops.
     */
    public void submit(long clientId, long sequence, byte[] payload, ReplyChannel reply) {
        offer(new LoopInbox.Call(LoopInbox.Call.Kind.COMMAND, clientId, sequence, payload,
                Objects.requireNonNull(reply, "reply")));
    }

    /** A client opens a session through the log; as for {@link #submit}. */
    public void register(ReplyChannel reply) {
        offer(new LoopInbox.Call(LoopInbox.Call.Kind.REGISTER, 0, 0, new byte[0], Objects.requireNonNull(reply, "reply")));
    }

    /** A client keeps its idle session open through the log; as for {@link #submit}. */
    public void keepAlive(long sessionId, ReplyChannel reply) {
        offer(new LoopInbox.Call(LoopInbox.Call.Kind.KEEP_ALIVE, sessionId, 0, new byte[0],
                Objects.requireNonNull(reply, "reply")));
    }

    /** A client's read-only query, answered by the node through read-index; as for {@link #submit}. */
    public void read(byte[] query, ReplyChannel reply) {
        offer(new LoopInbox.Call(LoopInbox.Call.Kind.READ, 0, 0, query, Objects.requireNonNull(reply, "reply")));
    }

    private void offer(LoopInbox.Call call) {
        if (stopping) {
            inbox.answer(call.reply(), inbox.stopped()); // refused on arrival: it never reached the log
        } else {
            inbox.offerCall(call);
        }
    }

    /** The latest status published by the loop thread. */
    public ServerStatus status() {
        return status;
    }

    /** Client calls queued for the loop thread right now (at most {@code clientQueueMax}). Any thread. */
    public int clientQueueDepth() {
        return inbox.callDepth();
    }

    /** Peer messages queued for the loop thread right now (at most {@code peerQueueMax}). Any thread. */
    public int peerQueueDepth() {
        return inbox.peerDepth();
    }

    public int serverId() {
        return selfId;
    }

    /** What stopped the loop thread, or null. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Stops the loop: answers every waiting and queued client {@link Status#ERROR}, and returns once the
     * loop thread has ended. Storage keeps its queue; the caller closes it next, which finishes the
     * in-flight writes. Idempotent; returns at once when the loop already failed.
     */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || !thread.isAlive() || failure != null) {
            return;
        }
        try {
            thread.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("server " + selfId + "'s loop thread did not stop within "
                    + STOP_TIMEOUT_MILLIS / 1000 + " s");
        }
    }

    // ---- The loop thread ----

    private void run() {
        try {
            node = parts.start(nowMs());
            publishStatus();
            started.complete(null);
        } catch (Throwable t) {
            started.completeExceptionally(t);
            return;
        }
        try {
            long nextTickAt = nowMs();
            while (!stopping) {
                boolean worked = round();
                long now = nowMs();
                if (now >= nextTickAt) {
                    // The wall clock only feeds the leader's clock commands of log time; nothing here decides by it.
                    node.tick(now, System.currentTimeMillis());
                    nextTickAt = now + settings.tickIntervalMs();
                    worked = true;
                }
                if (worked) {
                    publishStatus();
                } else if (inbox.isEmpty() && inbox.durableUpTo() == durableReported
                        && inbox.snapshotSavedAt() == snapshotReported) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextTickAt - now)));
                }
            }
            LOG.info("server {}: loop stopped at applied slot {}", selfId, node.replica().appliedSlot());
        } catch (Throwable t) {
            failure = t;
            stopping = true;
            LOG.error("server {}: the loop thread failed; stopping the server", selfId, t);
        } finally {
            node.stop(failure == null ? inbox.stopped()
                    : CommandAnswer.refused(Status.ERROR, 0, "server " + selfId + " failed: " + failure));
            inbox.close();
        }
        if (failure != null) {
            onFailure.accept(failure);
        }
    }

    /** Takes what other threads queued and hands it to the node; returns whether there was any. */
    private boolean round() {
        boolean worked = false;
        long now = nowMs();
        long durable = inbox.durableUpTo();
        if (durable > durableReported) {
            durableReported = durable;
            node.persisted(durable, now);
            worked = true;
        }
        long saved = inbox.snapshotSavedAt();
        if (saved > snapshotReported) {
            snapshotReported = saved;
            node.snapshotSaved(saved, now);
            worked = true;
        }
        inbox.drainPeers(peerBatch, BATCH_MAX);
        if (!peerBatch.isEmpty()) {
            for (Envelope envelope : peerBatch) {
                events.received(node.replica(), envelope, now);
                node.receive(envelope, now);
            }
            peerBatch.clear();
            worked = true;
        }
        inbox.drainCalls(clientBatch, BATCH_MAX);
        if (!clientBatch.isEmpty()) {
            for (LoopInbox.Call call : clientBatch) {
                switch (call.kind()) {
                    case READ -> {
                        submitCommands(now); // the commands drained before the read keep their place
                        node.read(call.payload(), guarded(call.reply()), now);
                    }
                    case COMMAND -> commandBatch.add(new Node.CommandCall(call.clientId(), call.sequence(),
                            call.payload(), guarded(call.reply())));
                    case REGISTER -> {
                        submitCommands(now);
                        node.register(guarded(call.reply()), now);
                    }
                    case KEEP_ALIVE -> {
                        submitCommands(now);
                        node.keepAlive(call.clientId(), guarded(call.reply()), now);
                    }
                }
            }
            submitCommands(now);
            clientBatch.clear();
            worked = true;
        }
        return worked;
    }

    /**
     * Hands the commands collected in this round to the node in one step: one log write and one store
     * per peer for all of them. One step per command made every write and every store carry a single
     * entry however many calls waited (issue 12: one entry per WAL batch and per store at 16 in flight).
     */
    private void submitCommands(long now) {
        if (!commandBatch.isEmpty()) {
            node.commands(commandBatch, now);
            commandBatch.clear();
        }
    }

    private long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNanos);
    }

    private void publishStatus() {
        status = ServerStatus.of(node.status(), inbox.peerMessagesDropped(), inbox.clientCallsBusy());
    }

    /** A reply channel that a failing network layer cannot turn into a failure of the loop. */
    private ReplyChannel guarded(ReplyChannel channel) {
        return answer -> inbox.answer(channel, answer);
    }
}
