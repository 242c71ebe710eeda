package io.paxlog.client;

import io.paxlog.transport.NetworkThreads;
import io.paxlog.transport.frame.FrameFormat;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a paxlog cluster: submits commands to the replicated state machine and gets each one's
 * result, exactly once.
 *
 * <pre>{@code
 * try (PaxlogClient client = PaxlogClient.builder()
 *         .servers("127.0.0.1:7081,127.0.0.1:7082,127.0.0.1:7083")
 *         .clusterId("demo")
 *         .build()) {
 *     Result result = client.call("append hello".getBytes(UTF_8));
 * }
 * }</pre>
 *
 * <h2>What it does for each command</h2>
 * Each command gets the client's next sequence; {@code (clientId, sequence)} names it in every attempt,
 * so however often it is retried, the servers apply it once and answer repeats with the saved result.
 * It goes to the server believed to lead (at first, the first server listed). A {@code NOT_LEADER}
 * answer with a hint sends it to the hinted server at once (a new connection if needed); an answer
 * without a hint, {@code NO_QUORUM} or an unreachable server sends it to the next server after a
 * capped, jittered backoff; {@code BUSY} retries after a backoff. {@code REJECTED} and {@code ERROR}
 * end it. See {@link PaxlogClientException} for how a command can fail and what each failure means:
 * above all, a command that timed out is "outcome unknown", never "failed".
 *
 * <h2>Reads</h2>
 * {@link #query} asks the state machine a read-only question, answered by the leader by read-index
 * without going through the log. It follows the leader like a command, but has no sequence, so it is
 * outside the window, and a read that fails was simply not answered: safe to ask again.
 *
 * <h2>Pipelining and the exactly-once window</h2>
 * Many commands are outstanding at once on one connection, in sequence order. A command is sent only
 * while its sequence is less than {@code maxOutstanding} above the oldest unfinished one: the servers
 * keep results for each client's last W sequences (the cluster's {@code exactlyOnceWindow}) and cannot
 * tell whether an older retry was applied. So {@code maxOutstanding} must not exceed W. Further
 * submits wait, without blocking the caller, for room (up to {@code maxWaiting} of them; beyond that
 * they fail at once with {@link CommandNotAppliedException}); their request timeout runs while they
 * wait.
 *
 * <p>Order: commands outstanding together are concurrent, and the log may take them in another order
 * than they were submitted, for instance when some are refused by a follower and sent again to the
 * leader while later ones go straight there. Each is still applied exactly once. A caller that needs
 * A before B waits for A's result before submitting B.
 *
 * <h2>Threads</h2>
 * Every public method is thread-safe. The client runs one network thread (all its connections, timers
 * and state) and, unless {@link Builder#callbackExecutor} says otherwise, one callback thread on which
 * every returned future completes, in the order the results arrived. Callbacks must not block for long:
 * later results wait behind them. The blocking methods ({@link #call}, {@link #submitAndWait}) refuse
 * to run on either thread, where they would wait for themselves.
 *
 * <h2>Sessions</h2>
 * Before its first command the client opens a session through the log (docs/protocol.md#client-sessions):
 * the servers give it a unique id (the slot its register was applied at), under which it numbers its
 * commands 1, 2, 3, ...; while idle it sends a keep-alive through the log about every third of the
 * cluster's session timeout. A session silent for longer (the client cut off from every leader that
 * long) is dropped on every server: a command then sent under it is not applied, and fails with {@link
 * SessionExpiredException} if no earlier attempt of it may have reached a server, else with {@link
 * OutcomeUnknownException}; the client opens a new session for later commands. Commands under an
 * idempotency key ({@link #submitKeyed}) need no session.
 *
 * <p>{@link Builder#clientId} only names the client in messages and logs; the servers know it by its
 * session.
 */
public final class PaxlogClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PaxlogClient.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Bytes of a call body besides the payload (see ClientCodec): kind, callId, clientId, sequence, length. */
    private static final int CALL_OVERHEAD_BYTES = 1 + 8 + 8 + 8 + 4;

    private final ClientConfig config;
    private final NetworkThreads network;
    /** Null when the caller supplied the callback executor (then it is theirs to shut down). */
    private final ExecutorService ownCallbacks;
    private volatile Thread callbackThread;
    private final Dispatcher dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PaxlogClient(ClientConfig config) {
        this.config = config;
        this.network = NetworkThreads.start(1, "paxlog-client-" + config.clientId());
        Executor callbacks = config.callbackExecutor();
        if (callbacks == null) {
            ownCallbacks = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "paxlog-client-" + config.clientId() + "-callbacks");
                thread.setDaemon(true);
                callbackThread = thread;
                return thread;
            });
            callbacks = ownCallbacks;
        } else {
            ownCallbacks = null;
        }
        this.dispatcher = new Dispatcher(config, network.group(), callbacks, new SecureRandom().nextLong());
        log.debug("client {} of cluster {} started; servers {}", config.clientId(), config.clusterId(), config.servers());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The id every command of this client carries. */
    public long clientId() {
        return config.clientId();
    }

    /**
     * Tells the client which server leads, as its owner knows it outside the client protocol (a server
     * forwarding requests knows whether it leads itself): later commands and queries go there first.
     * A stale hint costs one redirect, never correctness. 0 or an unknown server is ignored. Any thread.
     */
    public void leaderHint(int serverId) {
        try {
            dispatcher.onLoop(() -> dispatcher.leaderHint(serverId));
        } catch (RejectedExecutionException e) {
            // closed: nothing to steer
        }
    }

    /** The server this client believes leads, 0 if it knows none. For status displays. */
    public int leaderId() {
        return dispatcher.leader();
    }

    /**
     * Submits {@code command} (copied; the caller may reuse the array). The future completes with the
     * result once a leader applied it, or fails with a {@link PaxlogClientException}: an
     * {@link OutcomeUnknownException} (it may have been applied) or a {@link CommandNotAppliedException}
     * (it was not). It always completes, within the request timeout. Never blocks.
     *
     * @throws IllegalArgumentException if {@code command} is null or larger than a frame can carry
     */
    public CompletableFuture<Result> submit(byte[] command) {
        return handOver(command, dispatcher::submitted);
    }

    /**
     * Submits {@code command} under an idempotency key: it is the one command (sequence 1) of {@code
     * keyId}, an id in {@code [2^61, 2^62)} derived from the key's scope (see {@link #keyId}). It is
     * outside this client's session and window; every retry of it, by this client or by any other
     * (after a restart, from another server), names the same log command. The servers apply it once and
     * answer every repeat with the saved result and slot, for the cluster's key ttl (default 24 h) after
     * it was applied; a repeat with other bytes fails with {@link KeyReusedException}, not applied. The
     * future fails as {@link #submit}'s does otherwise. Never blocks.
     *
     * @throws IllegalArgumentException if {@code keyId} is outside the keyed range, or the command is null or too large
     */
    public CompletableFuture<Result> submitKeyed(long keyId, byte[] command) {
        if (!io.paxlog.client.core.ClientIdRanges.isKeyed(keyId)) {
            throw new IllegalArgumentException("key id " + keyId + " is not in [2^61, 2^62): use PaxlogClient.keyId");
        }
        return handOver(command, (copy, future) -> dispatcher.submittedKeyed(keyId, copy, future));
    }

    /**
     * Checks {@code command}, copies it and hands the copy to the network thread ({@code handOff} runs
     * there); a closed client fails the future at once, as not sent.
     */
    private CompletableFuture<Result> handOver(byte[] command,
            java.util.function.BiConsumer<byte[], CompletableFuture<Result>> handOff) {
        if (command == null) {
            throw new IllegalArgumentException("command must not be null (may be empty)");
        }
        if (command.length > config.frameBytesMax() - CALL_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("command of " + command.length + " bytes is over the limit of "
                    + (config.frameBytesMax() - CALL_OVERHEAD_BYTES) + " bytes");
        }
        byte[] copy = command.clone();
        CompletableFuture<Result> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(notSentClosed());
            return future;
        }
        try {
            dispatcher.onLoop(() -> handOff.accept(copy, future));
        } catch (RejectedExecutionException e) {
            // Closed between the check and here: the network thread is gone.
            future.completeExceptionally(notSentClosed());
        }
        return future;
    }

    /**
     * The keyed id of an idempotency key's scope: 2^61 plus 61 bits of SHA-256 of {@code scope}, the
     * same on every client and server. The scope should say everything that makes two requests the same
     * request besides their bytes (the HTTP API uses service, method, decoded path and the key).
     */
    public static long keyId(String scope) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("paxlog-idempotency-key\0" + scope).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
        long hash = 0;
        for (int i = 0; i < 8; i++) {
            hash = (hash << 8) | (digest[i] & 0xff);
        }
        return io.paxlog.client.core.ClientIdRanges.keyed(hash);
    }

    /**
     * Submits {@code command} and waits for its result, at most about the request timeout.
     *
     * @throws OutcomeUnknownException it may or may not have been applied (its subclasses say why)
     * @throws CommandNotAppliedException it was not applied (its subclasses say why)
     * @throws InterruptedException if interrupted while waiting; the command carries on
     * @throws IllegalStateException if called on the client's network or callback thread
     */
    public Result call(byte[] command) throws OutcomeUnknownException, CommandNotAppliedException, InterruptedException {
        if (dispatcher.inLoop() || Thread.currentThread() == callbackThread) {
            throw new IllegalStateException("a blocking call on the client's own thread would wait for itself; use submit");
        }
        CompletableFuture<Result> future = submit(command);
        try {
            // The request timeout completes the future; the margin is only against a bug leaving it hanging.
            return future.get(config.requestTimeout().toMillis() * 2 + CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OutcomeUnknownException unknown) {
                throw unknown;
            }
            if (cause instanceof CommandNotAppliedException notApplied) {
                throw notApplied;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("unexpected failure of a command", cause);
        } catch (TimeoutException e) {
            throw new AssertionError("a command's future did not complete within twice its request timeout", e);
        }
    }

    /**
     * Asks the state machine a read-only {@code request} (copied), answered by the leader from its state
     * once read-index proved that state current: linearizable (it sees every command that completed
     * before the query was made), and never written to the log. The request's format is the state
     * machine's: for example {@code KvCommands.get(key)} or {@code LockCommands.show(name)}.
     *
     * <p>It finds the leader, follows hints, backs off and gives up exactly as {@link #submit} does, under
     * the same request and no-leader timeouts, but it has no sequence and does not wait for room among
     * the outstanding commands. A read changes nothing, so it never fails as "outcome unknown": the
     * future fails only with a {@link CommandNotAppliedException}: a {@link QueryTimeoutException} when
     * no answer came within the request timeout, an {@link UnavailableException} when for the no-leader
     * timeout no server led, a {@link CommandRejectedException} when the server refused the query (the
     * state machine answers no reads, cannot parse it, or it is not read-only), or the base class when
     * the client is closed or too many queries are in flight ({@code maxWaiting}). Asking again is always
     * safe. The result's slot is the applied slot the answer was read at. Never blocks.
     *
     * @throws IllegalArgumentException if {@code request} is null or larger than a frame can carry
     */
    public CompletableFuture<Result> query(byte[] request) {
        if (request == null) {
            throw new IllegalArgumentException("request must not be null (may be empty)");
        }
        if (request.length > config.frameBytesMax() - CALL_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("query of " + request.length + " bytes is over the limit of "
                    + (config.frameBytesMax() - CALL_OVERHEAD_BYTES) + " bytes");
        }
        byte[] copy = request.clone();
        CompletableFuture<Result> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(notSentClosed());
            return future;
        }
        try {
            dispatcher.onLoop(() -> dispatcher.queried(copy, future));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(notSentClosed());
        }
        return future;
    }

    /**
     * {@link #query} waiting for the answer, at most about the request timeout.
     *
     * @throws CommandNotAppliedException no answer (its subclasses say why); asking again is safe
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if called on the client's network or callback thread
     */
    public Result queryAndWait(byte[] request) throws CommandNotAppliedException, InterruptedException {
        if (dispatcher.inLoop() || Thread.currentThread() == callbackThread) {
            throw new IllegalStateException("a blocking call on the client's own thread would wait for itself; use query");
        }
        CompletableFuture<Result> future = query(request);
        try {
            return future.get(config.requestTimeout().toMillis() * 2 + CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CommandNotAppliedException notApplied) {
                throw notApplied;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("unexpected failure of a query", cause);
        } catch (TimeoutException e) {
            throw new AssertionError("a query's future did not complete within twice its request timeout", e);
        }
    }

    /** {@link #call} returning only the state machine's result. */
    public byte[] submitAndWait(byte[] command)
            throws OutcomeUnknownException, CommandNotAppliedException, InterruptedException {
        return call(command).value();
    }

    /**
     * Closes the connections and stops the threads, waiting a bounded time. Commands still outstanding
     * fail: as {@link OutcomeUnknownException} if an attempt may have reached a server, else (and
     * commands still waiting for room) as {@link CommandNotAppliedException}. Later submits fail as not
     * sent. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onNetworkThread = dispatcher.inLoop();
        CompletableFuture<List<CompletableFuture<Void>>> stopped = new CompletableFuture<>();
        try {
            dispatcher.onLoop(() -> stopped.complete(dispatcher.close()));
        } catch (RejectedExecutionException e) {
            stopped.complete(List.of());
        }
        if (onNetworkThread) {
            // Called from a callback running on the network thread: it cannot wait for itself.
            network.group().shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            try {
                CompletableFuture.allOf(stopped.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .toArray(CompletableFuture[]::new)).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("client {}: connections did not close within {}", config.clientId(), CLOSE_TIMEOUT);
            }
            if (!network.close(CLOSE_TIMEOUT)) {
                log.warn("client {}: network thread did not stop within {}", config.clientId(), CLOSE_TIMEOUT);
            }
        }
        if (ownCallbacks != null) {
            // Queued completions still run: shutdown() lets the queue drain.
            ownCallbacks.shutdown();
            if (Thread.currentThread() != callbackThread && !onNetworkThread) {
                try {
                    if (!ownCallbacks.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        log.warn("client {}: a callback still runs after {}", config.clientId(), CLOSE_TIMEOUT);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        log.debug("client {} closed", config.clientId());
    }

    private CommandNotAppliedException notSentClosed() {
        return new CommandNotAppliedException(config.clientId(), 0,
                PaxlogClientException.command(config.clientId(), 0) + ": not sent: the client is closed");
    }

    /**
     * Settings of a {@link PaxlogClient}. Required: the servers and the cluster id. Not thread-safe;
     * {@link #build()} checks everything and lists every mistake in one message.
     */
    public static final class Builder {

        public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
        /** About twice an election: long enough for a new leader to emerge after a crash. */
        public static final Duration NO_LEADER_TIMEOUT_DEFAULT = Duration.ofSeconds(1);
        public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(1);
        public static final Duration ATTEMPT_TIMEOUT_DEFAULT = Duration.ofSeconds(2);
        public static final Duration RETRY_BACKOFF_MIN_DEFAULT = Duration.ofMillis(10);
        public static final Duration RETRY_BACKOFF_MAX_DEFAULT = Duration.ofMillis(200);
        public static final int MAX_OUTSTANDING_DEFAULT = 64;
        public static final int MAX_WAITING_DEFAULT = 10_000;

        /** Random ids take 62 bits: ids from 2^62 up are the servers' internal clients' (lock expiry). */
        private static final long RANDOM_CLIENT_ID_MASK = (1L << 62) - 1;

        private Map<Integer, InetSocketAddress> servers;
        private String clusterId;
        private Long clientId;
        private Duration requestTimeout = REQUEST_TIMEOUT_DEFAULT;
        private Duration noLeaderTimeout = NO_LEADER_TIMEOUT_DEFAULT;
        private Duration connectTimeout = CONNECT_TIMEOUT_DEFAULT;
        private Duration attemptTimeout = ATTEMPT_TIMEOUT_DEFAULT;
        private Duration retryBackoffMin = RETRY_BACKOFF_MIN_DEFAULT;
        private Duration retryBackoffMax = RETRY_BACKOFF_MAX_DEFAULT;
        private int maxOutstanding = MAX_OUTSTANDING_DEFAULT;
        private int maxWaiting = MAX_WAITING_DEFAULT;
        private Executor callbackExecutor;

        private Builder() {}

        /**
         * The servers' client addresses; the i-th (from 1) is server id i, as in the demo cluster.
         * Leader hints name servers by id, so the ids must match the cluster's; otherwise use
         * {@link #servers(Map)}.
         */
        public Builder servers(List<InetSocketAddress> addresses) {
            if (addresses == null) {
                this.servers = null;
                return this;
            }
            Map<Integer, InetSocketAddress> byId = new LinkedHashMap<>();
            for (int i = 0; i < addresses.size(); i++) {
                byId.put(i + 1, addresses.get(i));
            }
            this.servers = byId;
            return this;
        }

        /** The servers' client addresses by server id (the ids of the cluster file). Tried in map order. */
        public Builder servers(Map<Integer, InetSocketAddress> addressesById) {
            this.servers = addressesById == null ? null : new LinkedHashMap<>(addressesById);
            return this;
        }

        /**
         * {@code "host:port,host:port"} (ids 1, 2, ... in order) or {@code "1=host:port,2=host:port"}.
         *
         * @throws IllegalArgumentException naming the malformed entry
         */
        public Builder servers(String list) {
            this.servers = ClientConfig.parseServers(list);
            return this;
        }

        /** The cluster's id: servers of another cluster refuse the connection. */
        public Builder clusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /**
         * The client's name in messages and logs ({@code c<id>}), >= 1 and below 2^62. Default: a random
         * 62-bit number. The commands carry the id of the session the client opens, not this.
         */
        public Builder clientId(long clientId) {
            this.clientId = clientId;
            return this;
        }

        /**
         * How long a command may take, from submit to result, including waiting for room and all
         * retries. When it expires the command fails as {@link OutcomeUnknownException} if an attempt
         * may have reached a server. Default 5 s.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * Give up early when, for this long, every server was tried and each was unreachable or said
         * it does not lead: {@link NoQuorumException} or {@link UnavailableException}. Keep it above
         * a failover (twice the election timeout); default 1 s. Until the client has seen a leader, a
         * wait in which servers answer (rather than none being reachable) lasts at least 4 s, within
         * the request timeout: servers that just started are holding their first election, which with
         * their default election timeout takes longer than 1 s, and a command submitted right after
         * the servers start should wait for its leader, not fail.
         */
        public Builder noLeaderTimeout(Duration noLeaderTimeout) {
            this.noLeaderTimeout = noLeaderTimeout;
            return this;
        }

        /**
         * How long one attempt waits for its server's answer before the client stops waiting on that
         * server and resubmits the command, with the same {@code (clientId, sequence)}, to another one:
         * a paused or cut-off server answers nothing and may keep the connection open (issue 10). Set it
         * above the servers' election timeout and a commit under load. {@link Duration#ZERO}: wait for
         * the request timeout. Default 2 s.
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        /** How long to try to open a connection to one server. Default 1 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** The delay before a retry doubles from {@code min} up to {@code max}, with jitter. Default 10 ms, 200 ms. */
        public Builder retryBackoff(Duration min, Duration max) {
            this.retryBackoffMin = min;
            this.retryBackoffMax = max;
            return this;
        }

        /**
         * Commands sent and not finished, at most; more precisely, the span of their sequences. Must
         * not exceed the cluster's exactly-once window ({@code exactlyOnceWindow} in the cluster
         * file), or a retry may be answered "expired" and its outcome lost. Default 64.
         */
        public Builder maxOutstanding(int maxOutstanding) {
            this.maxOutstanding = maxOutstanding;
            return this;
        }

        /**
         * Submits that may wait for room among the outstanding commands; beyond this they fail at once
         * with {@link CommandNotAppliedException}. 0 makes every submit that finds no room fail fast.
         * Default 10,000.
         */
        public Builder maxWaiting(int maxWaiting) {
            this.maxWaiting = maxWaiting;
            return this;
        }

        /**
         * Where futures complete. Default: a thread of the client's own, which keeps results in arrival
         * order. An executor given here is not shut down by the client; a direct one
         * ({@code Runnable::run}) runs callbacks on the network thread, where they must never block.
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = executor;
            return this;
        }

        /** @throws IllegalArgumentException listing every invalid or missing setting */
        public PaxlogClient build() {
            long id = clientId != null ? clientId : randomClientId();
            return new PaxlogClient(new ClientConfig(servers, clusterId, id, requestTimeout, noLeaderTimeout,
                    connectTimeout, attemptTimeout, retryBackoffMin, retryBackoffMax, maxOutstanding, maxWaiting,
                    FrameFormat.FRAME_BYTES_MAX_DEFAULT, callbackExecutor));
        }

        /** Below 2^62: ids at and above it are reserved for the servers' internal clients (lock expiry). */
        private static long randomClientId() {
            SecureRandom random = new SecureRandom();
            long id;
            do {
                id = random.nextLong() & RANDOM_CLIENT_ID_MASK;
            } while (id == 0);
            return id;
        }
    }
}
