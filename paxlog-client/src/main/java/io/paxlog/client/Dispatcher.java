package io.paxlog.client;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.paxlog.client.core.ClientCore;
import io.paxlog.client.core.ClientCoreConfig;
import io.paxlog.client.core.Effect;
import io.paxlog.client.core.Outcome;
import io.paxlog.client.core.ServerAnswer;
import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientConnection;
import io.paxlog.transport.client.ClientConnectionConfig;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty shell around the client's rules ({@link ClientCore}): it feeds the core events (submits,
 * connections made or failed, answers, lost connections, timers) and carries out its effects
 * (connect, send, arm the timer, complete a future). Every rule lives in the core; what is left here is
 * the wire: connections ({@link ServerLink}), the clock ({@link System#nanoTime}), the one timer, the
 * translation of answers into the core's terms and of outcomes into the public exceptions.
 *
 * <p>Threads: the core and everything here belong to the client's one network thread ({@link #loop}),
 * the same thread its connections run on, so nothing is locked: other threads hand work over with
 * {@link #onLoop}. Futures are completed on the {@link #callbacks} executor, so a slow user callback
 * cannot stall the network thread.
 *
 * <p>Effects are carried out through one queue ({@link #run}): a connect that fails at once reports back
 * into the core while earlier effects are being carried out, and its effects queue behind them, so the
 * order the core asked for holds and the stack stays flat however many commands fail in a row.
 */
final class Dispatcher implements Effect.Handler<CompletableFuture<Result>> {

    private static final Logger log = LoggerFactory.getLogger(PaxlogClient.class);

    private final ClientConfig config;
    private final long clientId;
    private final EventLoop loop;
    private final Executor callbacks;
    private final Map<Integer, ServerLink> links = new LinkedHashMap<>();
    private final ClientCore<CompletableFuture<Result>> core;
    private final ArrayDeque<Effect<CompletableFuture<Result>>> effects = new ArrayDeque<>();
    private boolean running;
    /** The one timer, and when it fires; null when none is armed. */
    private ScheduledFuture<?> timer;
    private long timerAt;
    /** The core's leader belief, for other threads. */
    private volatile int leaderSeen;

    Dispatcher(ClientConfig config, EventLoopGroup group, Executor callbacks, long seed) {
        this.config = config;
        this.clientId = config.clientId();
        this.loop = group.next();
        this.callbacks = callbacks;
        Map<Integer, String> names = new LinkedHashMap<>();
        for (Map.Entry<Integer, InetSocketAddress> server : config.servers().entrySet()) {
            ClientConnectionConfig connection = new ClientConnectionConfig(config.clusterId(), server.getValue(),
                    config.frameBytesMax(), config.connectTimeout(), ClientConnectionConfig.PING_INTERVAL_DEFAULT);
            links.put(server.getKey(), new ServerLink(server.getKey(), connection, group));
            names.put(server.getKey(), config.describe(server.getKey()));
        }
        ClientCoreConfig.Timing timing = new ClientCoreConfig.Timing(config.requestTimeout().toNanos(),
                config.noLeaderTimeout().toNanos(), ClientConfig.FIRST_LEADER_WAIT.toNanos(),
                config.attemptTimeout().toNanos(), config.retryBackoffMin().toNanos(), config.retryBackoffMax().toNanos());
        this.core = new ClientCore<>(new ClientCoreConfig(clientId, names, timing, config.maxOutstanding(),
                config.maxWaiting()), new SplittableRandom(seed));
    }

    /** Runs {@code task} on the network thread: now if already there. */
    void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    boolean inLoop() {
        return loop.inEventLoop();
    }

    int leader() {
        return leaderSeen;
    }

    // ---- Events in (network thread)

    void submitted(byte[] command, CompletableFuture<Result> future) {
        run(core.submitCommand(future, command, System.nanoTime()));
    }

    void leaderHint(int server) {
        run(core.leaderHint(server, System.nanoTime()));
    }

    void submittedKeyed(long keyId, byte[] command, CompletableFuture<Result> future) {
        run(core.submitKeyed(future, keyId, command, System.nanoTime()));
    }

    void queried(byte[] query, CompletableFuture<Result> future) {
        run(core.submitQuery(future, query, System.nanoTime()));
    }

    /**
     * Fails every request as the core decides (see {@link ClientCore#close}) and closes the connections.
     * Returns futures that complete when they have ended.
     */
    List<CompletableFuture<Void>> close() {
        run(core.close(System.nanoTime()));
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (ServerLink link : links.values()) {
            ended.add(link.close());
        }
        return ended;
    }

    /** Carries out {@code batch} after whatever is already queued, in order. */
    private void run(List<Effect<CompletableFuture<Result>>> batch) {
        effects.addAll(batch);
        if (running) {
            return;
        }
        running = true;
        try {
            Effect<CompletableFuture<Result>> next;
            while ((next = effects.poll()) != null) {
                next.applyTo(this);
            }
        } finally {
            running = false;
        }
    }

    // ---- Effects out

    @Override
    public void connect(Effect.Connect<CompletableFuture<Result>> connect) {
        long attempt = connect.attempt();
        links.get(connect.server()).withConnection(System.nanoTime(), (connection, error) -> {
            if (error == null && !connection.isOpen()) {
                error = new IllegalStateException("connection closed before the command was sent");
            }
            run(error == null ? core.connected(attempt, System.nanoTime())
                    : core.connectFailed(attempt, describe(error), System.nanoTime()));
        });
    }

    @Override
    public void sendCommand(Effect.SendCommand<CompletableFuture<Result>> send) {
        call(send.attempt(), send.server(), new ClientCall(send.attempt(), send.clientId(), send.sequence(), send.payload()));
    }

    @Override
    public void sendQuery(Effect.SendQuery<CompletableFuture<Result>> send) {
        call(send.attempt(), send.server(), ClientCall.read(send.attempt(), send.payload()));
    }

    @Override
    public void sendRegister(Effect.SendRegister<CompletableFuture<Result>> send) {
        call(send.attempt(), send.server(), ClientCall.register(send.attempt()));
    }

    @Override
    public void sendKeepAlive(Effect.SendKeepAlive<CompletableFuture<Result>> send) {
        call(send.attempt(), send.server(), ClientCall.keepAlive(send.attempt(), send.sessionId()));
    }

    /** Puts {@code call} on the connection its attempt was just given. */
    private void call(long attempt, int server, ClientCall call) {
        ClientConnection connection = links.get(server).open();
        if (connection == null) {
            run(core.connectFailed(attempt, "connection closed before the command was sent", System.nanoTime()));
            return;
        }
        connection.call(call).whenComplete((answer, failure) -> onLoop(() -> run(failure != null
                ? core.lost(attempt, describe(failure), System.nanoTime())
                : core.answered(attempt, translate(answer), System.nanoTime()))));
    }

    @Override
    public void armTimer(Effect.ArmTimer<CompletableFuture<Result>> arm) {
        if (timer != null && timerAt <= arm.at()) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = arm.at();
        timer = loop.schedule(() -> {
            timer = null;
            run(core.timerFired(System.nanoTime()));
        }, Math.max(0, arm.at() - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void complete(Effect.Complete<CompletableFuture<Result>> complete) {
        CompletableFuture<Result> future = complete.handle();
        Outcome outcome = complete.outcome();
        if (outcome instanceof Outcome.Applied applied) {
            Result result = new Result(applied.slot(), applied.result());
            deliver(() -> future.complete(result));
            return;
        }
        PaxlogClientException failure = exception(complete.sequence(), outcome);
        log.debug("client {}: {}", clientId, failure.getMessage());
        deliver(() -> future.completeExceptionally(failure));
    }

    @Override
    public void leaderChanged(Effect.LeaderChanged<CompletableFuture<Result>> change) {
        log.debug("client {}: leader {} -> {}: {}", clientId,
                change.previous() == 0 ? "unknown" : config.describe(change.previous()),
                change.leader() == 0 ? "unknown" : config.describe(change.leader()), change.why());
        leaderSeen = change.leader();
    }

    // ---- Translations

    /** The public exception for an outcome other than applied: the class says what the caller may assume. */
    private PaxlogClientException exception(long sequence, Outcome outcome) {
        return switch (outcome.kind()) {
            case APPLIED -> throw new AssertionError("an applied outcome is not a failure");
            case NOT_APPLIED -> {
                Outcome.NotApplied notApplied = (Outcome.NotApplied) outcome;
                yield switch (notApplied.reason()) {
                    case CLOSED, NO_ROOM, WAITED_FOR_ROOM, NO_SESSION ->
                            new CommandNotAppliedException(clientId, sequence, notApplied.message());
                    case SESSION_EXPIRED -> new SessionExpiredException(clientId, sequence, notApplied.message());
                    case UNAVAILABLE -> new UnavailableException(clientId, sequence, notApplied.message());
                    case QUERY_TIMED_OUT -> new QueryTimeoutException(clientId, notApplied.message());
                };
            }
            case REJECTED -> {
                Outcome.Rejected rejected = (Outcome.Rejected) outcome;
                yield switch (rejected.reason()) {
                    case REFUSED -> new CommandRejectedException(clientId, sequence, rejected.server(),
                            rejected.serverMessage(), rejected.message());
                    case KEY_REUSED -> new KeyReusedException(clientId, rejected.server(), rejected.serverMessage(),
                            rejected.message());
                };
            }
            case UNKNOWN -> {
                Outcome.Unknown unknown = (Outcome.Unknown) outcome;
                yield switch (unknown.reason()) {
                    case TIMED_OUT, RETRY_REJECTED, CLOSED, SESSION_EXPIRED ->
                            new OutcomeUnknownException(clientId, sequence, unknown.message(), null);
                    case NO_LEADER -> new NoQuorumException(clientId, sequence, unknown.message());
                    case SERVER_ERROR -> new ServerErrorException(clientId, sequence, unknown.server(),
                            unknown.serverMessage(), unknown.message());
                };
            }
        };
    }

    private static ServerAnswer translate(ClientAnswer answer) {
        ServerAnswer.Status status = switch (answer.status()) {
            case APPLIED -> ServerAnswer.Status.APPLIED;
            case NOT_LEADER -> ServerAnswer.Status.NOT_LEADER;
            case NO_QUORUM -> ServerAnswer.Status.NO_QUORUM;
            case BUSY -> ServerAnswer.Status.BUSY;
            case REJECTED -> ServerAnswer.Status.REJECTED;
            case ERROR -> ServerAnswer.Status.ERROR;
            case SESSION_EXPIRED -> ServerAnswer.Status.SESSION_EXPIRED;
            case KEY_REUSED -> ServerAnswer.Status.KEY_REUSED;
        };
        return new ServerAnswer(status, answer.slot(), answer.result(), answer.leaderHint(), answer.message());
    }

    private void deliver(Runnable completion) {
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException e) {
            // The callback executor is gone (closing): complete here rather than never.
            completion.run();
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
