package io.paxlog.server;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.Apply;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.core.runtime.Responder;
import io.paxlog.server.CommandAnswer.Status;
import io.paxlog.lock.LockMachine;
import io.paxlog.server.config.ServerConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one server: a single thread that owns the {@link ReplicaLoop}, and with it the core
 * ({@link Replica}), the exactly-once table and the {@link StateMachine}. Nothing else touches them.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li><b>Loop thread</b> ({@code paxlog-loop-<id>}): recovers storage and starts the core, then
 *       repeatedly takes what other threads queued, steps the core with it, and carries out the
 *       effects: {@code Storage.write} (queues, never waits for the disk), {@code Transport.send}
 *       (must not block), state machine {@code apply}, client answers. It also owns the clock: every
 *       {@code tickIntervalMs} it reads {@link System#nanoTime()} and passes the milliseconds to the
 *       core (the core never reads a clock). It alone assigns request ids and holds the map from
 *       request id to {@link ReplyChannel}.
 *   <li><b>Network threads</b> (Netty event loops, or a test's transport) call {@link #deliver} and
 *       {@link #submit}. Both only enqueue and never block: the queues are bounded; a full peer queue
 *       drops the message (the protocol re-sends), a full client queue answers {@link Status#BUSY}.
 *   <li><b>WAL I/O thread</b> reports durability through the callbacks this class hands storage; they
 *       only record the highest durable batch id (or saved snapshot slot) and wake the loop, which then
 *       calls {@link ReplicaLoop#persisted} (or {@link ReplicaLoop#snapshotSaved}) itself. Snapshots are
 *       taken on the loop thread every {@code snapshotEverySlots} applied slots: serializing the state
 *       machine stalls the loop for that long; the WAL thread writes the bytes.
 *   <li><b>Any thread</b> may read {@link #status()} (published by the loop thread after each round)
 *       and call {@link #close()}.
 * </ul>
 *
 * <p>One round of the loop: durability first (it releases replies held by Rule D), then up to
 * {@link #BATCH_MAX} peer messages, then up to {@link #BATCH_MAX} client calls, then a tick if one is
 * due; it parks until the next tick when nothing is queued. Peer messages go first so a flood of
 * clients cannot starve the protocol.
 *
 * <p>Lock service: when the state machine is a {@link LockMachine}, the loop owns a {@link LockExpiry}
 * too. After each tick it tells it whether this server leads (and at which epoch) and submits the
 * expire commands it returns, as commands of the scheduler's internal client whose answers nobody waits
 * for; a show read answered here gets the leader's remaining ttl from it.
 *
 * <p>Failure: an exception on the loop thread is a bug (the core's assertions, or a broken state
 * machine). The loop stops, answers every waiting client {@link Status#ERROR}, and reports the
 * failure to the {@code onFailure} handler, which for a real server stops the process.
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
     * @param replica           the core's configuration
     * @param exactlyOnceWindow results kept per client for retries; must match across the cluster
     * @param tickIntervalMs    how often the core is told the time
     * @param clientQueueMax    client calls queued for the loop before further calls are answered BUSY
     * @param peerQueueMax      peer messages queued for the loop before further ones are dropped
     * @param commandBytesMax   largest payload accepted from a client
     * @param snapshotEverySlots a snapshot is taken each time this many slots were applied since the last
     */
    public record Settings(ReplicaConfig replica, int exactlyOnceWindow, long tickIntervalMs, int clientQueueMax,
            int peerQueueMax, int commandBytesMax, long snapshotEverySlots) {

        public Settings {
            Objects.requireNonNull(replica, "replica");
            if (exactlyOnceWindow < 1 || tickIntervalMs < 1 || clientQueueMax < 1 || peerQueueMax < 1
                    || commandBytesMax < 1 || snapshotEverySlots < 1) {
                throw new IllegalArgumentException("loop settings must be positive: " + exactlyOnceWindow + ", "
                        + tickIntervalMs + ", " + clientQueueMax + ", " + peerQueueMax + ", " + commandBytesMax + ", "
                        + snapshotEverySlots);
            }
        }

        public static Settings of(ServerConfig config, int selfId) {
            var limits = config.settings().limits();
            return new Settings(config.replicaConfig(selfId), config.cluster().exactlyOnceWindow(),
                    config.settings().tickIntervalMs(), limits.clientQueueMax(), limits.peerQueueMax(),
                    limits.commandBytesMax(), config.settings().snapshotEverySlots());
        }
    }

    /** A client's command, or (read) a read-only query answered from the state machine by read-index. */
    private record Call(long clientId, long sequence, byte[] payload, ReplyChannel reply, boolean read) {}

    private final Settings settings;
    private final int selfId;
    private final Storage storage;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final ReplicaLoop.Observer observer;
    private final Consumer<Throwable> onFailure;
    /** The lock expiry scheduler when the state machine is a lock machine, else null. Loop thread only. */
    private final LockExpiry expiry;
    private final long originNanos = System.nanoTime();

    // Shared with other threads: bounded queues, the durable mark, counters, flags and the status.
    private final ArrayBlockingQueue<Envelope> peerInbox;
    private final ArrayBlockingQueue<Call> clientInbox;
    private final AtomicLong durableUpTo = new AtomicLong();
    private final AtomicLong snapshotSavedAt = new AtomicLong();
    private final AtomicLong peerMessagesDropped = new AtomicLong();
    private final AtomicLong clientCallsBusy = new AtomicLong();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    /** Set once the loop has taken its last call; see {@link #submit} and {@link #answerEveryone}. */
    private volatile boolean ended;
    private volatile ServerStatus status;
    private volatile Throwable failure;

    // Loop thread only.
    private ReplicaLoop loop;
    private ProtocolEventLog events;
    private long durableReported;
    private long snapshotReported;
    private long nextRequestId = 1;
    /** Invariant: holds exactly the requests handed to the core and not yet answered. */
    private final Map<Long, ReplyChannel> waiting = new HashMap<>();
    /** The query of each read among {@link #waiting}. */
    private final Map<Long, byte[]> queries = new HashMap<>();
    private final List<Envelope> peerBatch = new ArrayList<>(BATCH_MAX);
    private final List<Call> clientBatch = new ArrayList<>(BATCH_MAX);

    private ServerLoop(Settings settings, Storage storage, Transport transport, StateMachine stateMachine,
            ReplicaLoop.Observer observer, Consumer<Throwable> onFailure) {
        this.settings = settings;
        this.selfId = settings.replica().selfId();
        this.storage = Objects.requireNonNull(storage, "storage");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.expiry = stateMachine instanceof LockMachine locks ? new LockExpiry(locks) : null;
        this.peerInbox = new ArrayBlockingQueue<>(settings.peerQueueMax());
        this.clientInbox = new ArrayBlockingQueue<>(settings.clientQueueMax());
        this.thread = new Thread(this::run, "paxlog-loop-" + selfId);
    }

    /**
     * Starts the loop thread, which recovers {@code storage} (not yet recovered) and starts the core;
     * returns once it runs.
     *
     * @param observer  sees every step after the server's own logging; {@link ReplicaLoop.Observer#NONE}
     * @param onFailure called once, on the loop thread, if the loop dies of an exception
     * @throws RuntimeException what recovery threw (a damaged log, an unreadable disk)
     */
    public static ServerLoop start(Settings settings, Storage storage, Transport transport, StateMachine stateMachine,
            ReplicaLoop.Observer observer, Consumer<Throwable> onFailure) {
        ServerLoop server = new ServerLoop(settings, storage, transport, stateMachine, observer, onFailure);
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
        ReplicaConfig replica = settings.replica();
        if (envelope.to() != selfId || envelope.from() == selfId || replica.indexOf(envelope.from()) < 0) {
            LOG.warn("server {}: dropped a message not from a peer to this server: {}", selfId, envelope);
            return;
        }
        if (stopping) {
            return;
        }
        if (peerInbox.offer(envelope)) {
            LockSupport.unpark(thread);
        } else {
            peerMessagesDropped.incrementAndGet();
        }
    }

    /**
     * A client's command. Any thread; never blocks. {@code reply} gets exactly one answer: from the
     * loop thread once the command is applied or refused, or at once from this thread when the call
     * is malformed, too large, the queue is full or the server stops.
     */
    public void submit(long clientId, long sequence, byte[] payload, ReplyChannel reply) {
        Objects.requireNonNull(reply, "reply");
        if (clientId < 1 || sequence < 1 || payload == null) {
            answer(reply, CommandAnswer.refused(Status.REJECTED, 0,
                    "client ids and sequences start at 1 and a payload is required (client " + clientId
                            + ", sequence " + sequence + ")"));
            return;
        }
        if (payload.length > settings.commandBytesMax()) {
            answer(reply, CommandAnswer.refused(Status.REJECTED, 0, "command of " + payload.length
                    + " bytes is above this server's limit of " + settings.commandBytesMax()));
            return;
        }
        if (stopping) {
            answer(reply, stoppingAnswer());
            return;
        }
        offer(new Call(clientId, sequence, payload, reply, false));
    }

    /**
     * A client's read-only query, answered from the state machine ({@link StateMachine#query}) once
     * read-index proved the state current, without writing to the log. Any thread; never blocks;
     * {@code reply} gets exactly one answer, as for {@link #submit}.
     */
    public void read(byte[] query, ReplyChannel reply) {
        Objects.requireNonNull(reply, "reply");
        if (query == null || query.length > settings.commandBytesMax()) {
            answer(reply, CommandAnswer.refused(Status.REJECTED, 0, query == null ? "a query is required"
                    : "query of " + query.length + " bytes is above this server's limit of " + settings.commandBytesMax()));
            return;
        }
        if (stopping) {
            answer(reply, stoppingAnswer());
            return;
        }
        offer(new Call(0, 0, query, reply, true));
    }

    private void offer(Call call) {
        ReplyChannel reply = call.reply();
        if (!clientInbox.offer(call)) {
            clientCallsBusy.incrementAndGet();
            answer(reply, CommandAnswer.refused(Status.BUSY, 0, "server " + selfId + " has "
                    + settings.clientQueueMax() + " calls waiting; retry later"));
            return;
        }
        LockSupport.unpark(thread);
        if (ended) {
            // Raced with the end of the loop, whose last drain may have run before our offer.
            drainClientInbox();
        }
    }

    /** The latest status published by the loop thread. */
    public ServerStatus status() {
        return status;
    }

    /** Client calls queued for the loop thread right now (at most {@code clientQueueMax}). Any thread. */
    public int clientQueueDepth() {
        return clientInbox.size();
    }

    /** Peer messages queued for the loop thread right now (at most {@code peerQueueMax}). Any thread. */
    public int peerQueueDepth() {
        return peerInbox.size();
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
     * in-flight writes. Idempotent.
     */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || !thread.isAlive()) {
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
            loop = newReplicaLoop(nowMs());
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
                    loop.tick(now);
                    proposeExpires(now);
                    nextTickAt = now + settings.tickIntervalMs();
                    worked = true;
                }
                if (worked) {
                    publishStatus();
                } else if (peerInbox.isEmpty() && clientInbox.isEmpty() && durableUpTo.get() == durableReported
                        && snapshotSavedAt.get() == snapshotReported) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextTickAt - now)));
                }
            }
            LOG.info("server {}: loop stopped at applied slot {}", selfId, loop.replica().appliedSlot());
        } catch (Throwable t) {
            failure = t;
            stopping = true;
            LOG.error("server {}: the loop thread failed; stopping the server", selfId, t);
        } finally {
            answerEveryone(failure == null ? stoppingAnswer()
                    : CommandAnswer.refused(Status.ERROR, 0, "server " + selfId + " failed: " + failure));
        }
        if (failure != null) {
            onFailure.accept(failure);
        }
    }

    /**
     * The one place the runtime loop is built: the ReplicaLoop constructor changes as the core grows
     * (snapshots), and only this method follows it.
     */
    private ReplicaLoop newReplicaLoop(long now) {
        events = new ProtocolEventLog(selfId, settings.replica().catchUpSlotsMax());
        ReplicaLoop.Observer both = new ReplicaLoop.Observer() {
            @Override
            public void stepped(Replica replica, Effects effects) {
                events.stepped(replica, effects);
                observer.stepped(replica, effects);
            }

            @Override
            public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
                events.applied(replica, apply, outcome);
                observer.applied(replica, apply, outcome);
            }

            @Override
            public void restored(Replica replica, Snapshot snapshot) {
                events.restored(replica, snapshot);
                if (loop != null) {
                    // Set once recovery built the loop: any restore after that is a snapshot another
                    // server sent us because we were behind its compacted log, not our own from disk.
                    LOG.info("server {}: installed a snapshot received from another server at slot {} ({} bytes); "
                            + "slots up to it were not replayed from a log", selfId, snapshot.slot(),
                            snapshot.data().length);
                }
                observer.restored(replica, snapshot);
            }

            @Override
            public void snapshotTaken(Replica replica, Snapshot snapshot) {
                events.snapshotTaken(replica, snapshot);
                observer.snapshotTaken(replica, snapshot);
            }
        };
        return new ReplicaLoop(settings.replica(), storage, this::durable, this::snapshotSaved,
                new ReplicaLoop.SnapshotPolicy(settings.snapshotEverySlots()), transport, stateMachine,
                settings.exactlyOnceWindow(), new LoopResponder(), new SplittableRandom(), now,
                ReplicaFactory.DEFAULT, both);
    }

    /** Takes what other threads queued and steps the core with it; returns whether there was any. */
    private boolean round() {
        boolean worked = false;
        long durable = durableUpTo.get();
        if (durable > durableReported) {
            durableReported = durable;
            loop.persisted(durable);
            worked = true;
        }
        long saved = snapshotSavedAt.get();
        if (saved > snapshotReported) {
            snapshotReported = saved;
            loop.snapshotSaved(saved);
            worked = true;
        }
        peerInbox.drainTo(peerBatch, BATCH_MAX);
        if (!peerBatch.isEmpty()) {
            long now = nowMs();
            for (Envelope envelope : peerBatch) {
                events.received(loop.replica(), envelope, now);
                loop.receive(envelope);
            }
            peerBatch.clear();
            worked = true;
        }
        clientInbox.drainTo(clientBatch, BATCH_MAX);
        if (!clientBatch.isEmpty()) {
            for (Call call : clientBatch) {
                long requestId = nextRequestId++;
                waiting.put(requestId, call.reply());
                if (call.read()) {
                    queries.put(requestId, call.payload());
                    loop.read(requestId);
                } else {
                    loop.submit(new ClientRequest(requestId, new Command(call.clientId(), call.sequence(),
                            call.payload())));
                }
            }
            clientBatch.clear();
            worked = true;
        }
        return worked;
    }

    /**
     * Lets the lock expiry scheduler see this tick and proposes the expires it decided on, if any. Once per
     * tick, not per round: scanning the leases costs time in proportion to the locks held, and seeing a
     * lease up to a tick late only gives its holder that much longer.
     */
    private void proposeExpires(long now) {
        if (expiry == null) {
            return;
        }
        Replica replica = loop.replica();
        Epoch leading = replica.role() == Role.LEADER ? replica.ownEpoch() : null;
        for (Command expire : expiry.tick(leading, now)) {
            long requestId = nextRequestId++;
            // Nobody waits for an expire: the scheduler proposes it again if the lease is still there.
            waiting.put(requestId, answer -> { });
            loop.submit(new ClientRequest(requestId, expire));
        }
    }

    /** Storage's durable callback: hands durability to the loop thread. Storage's I/O thread. */
    private void durable(long batchId) {
        durableUpTo.accumulateAndGet(batchId, Math::max);
        LockSupport.unpark(thread);
    }

    /** Storage's snapshot callback; the loop saves one snapshot at a time, so the latest slot is enough. */
    private void snapshotSaved(long slot) {
        snapshotSavedAt.accumulateAndGet(slot, Math::max);
        LockSupport.unpark(thread);
    }

    private long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNanos);
    }

    private void publishStatus() {
        Replica replica = loop.replica();
        status = new ServerStatus(selfId, replica.role(), replica.promised(), replica.leaderHint(),
                replica.appliedSlot(), replica.firstUnfinalizedSlot(), replica.lastUsedSlot(), replica.snapshotSlot(),
                replica.peerFirstUnfinalizedSlots(), peerMessagesDropped.get(),
                clientCallsBusy.get());
    }

    private void answerEveryone(CommandAnswer answer) {
        List<ReplyChannel> channels = new ArrayList<>(waiting.values());
        waiting.clear();
        channels.forEach(channel -> answer(channel, answer));
        // Set before the last drain: a call offered after that drain sees it and drains itself (submit).
        ended = true;
        drainClientInbox();
    }

    private void drainClientInbox() {
        ArrayDeque<Call> left = new ArrayDeque<>();
        clientInbox.drainTo(left);
        left.forEach(call -> answer(call.reply(), stoppingAnswer()));
    }

    private CommandAnswer stoppingAnswer() {
        return CommandAnswer.refused(Status.ERROR, 0, "server " + selfId + " is stopping; the outcome is unknown");
    }

    private void answer(ReplyChannel channel, CommandAnswer answer) {
        try {
            channel.answer(answer);
        } catch (RuntimeException e) {
            LOG.warn("server {}: a reply channel failed to take {}", selfId, answer, e);
        }
    }

    /** Turns the core's answers into client answers. Loop thread. */
    private final class LoopResponder implements Responder {

        @Override
        public void applied(long requestId, long slot, ExactlyOnce.Outcome outcome) {
            ReplyChannel reply = take(requestId);
            switch (outcome.kind()) {
                case APPLIED, DUPLICATE -> answer(reply, CommandAnswer.applied(slot, outcome.result()));
                case EXPIRED -> answer(reply, CommandAnswer.refused(Status.REJECTED, 0,
                        "the sequence is older than the last " + settings.exactlyOnceWindow()
                                + " of this client: whether it was applied is unknown"));
                case NOOP -> throw new AssertionError("a no-op answered request " + requestId);
            }
        }

        @Override
        public void refused(Refusal refusal) {
            ReplyChannel reply = take(refusal.requestId());
            switch (refusal.reason()) {
                case NOT_LEADER -> answer(reply, refusal.leaderHint() != 0
                        ? CommandAnswer.refused(Status.NOT_LEADER, refusal.leaderHint(),
                                "server " + selfId + " does not lead; server " + refusal.leaderHint() + " does")
                        : CommandAnswer.refused(Status.NO_QUORUM, 0, "server " + selfId
                                + " does not lead and knows no leader: no majority reachable, or an election is "
                                + "under way"));
                case BUSY -> answer(reply, CommandAnswer.refused(Status.BUSY, 0,
                        "the leader's queue is full; retry later"));
            }
        }

        @Override
        public void readReady(long requestId, long appliedSlot) {
            byte[] query = queries.get(requestId);
            ReplyChannel reply = take(requestId);
            byte[] result;
            try {
                result = stateMachine.query(query);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                answer(reply, CommandAnswer.refused(Status.REJECTED, 0, "query refused: " + e.getMessage()));
                return;
            }
            if (expiry != null) {
                Replica replica = loop.replica();
                expiry.lead(replica.role() == Role.LEADER ? replica.ownEpoch() : null);
                result = expiry.withRemaining(query, result, nowMs());
            }
            answer(reply, CommandAnswer.applied(appliedSlot, result));
        }

        private ReplyChannel take(long requestId) {
            queries.remove(requestId);
            ReplyChannel reply = waiting.remove(requestId);
            if (reply == null) {
                throw new AssertionError("the core answered request " + requestId + ", which is not waiting");
            }
            return reply;
        }
    }
}
