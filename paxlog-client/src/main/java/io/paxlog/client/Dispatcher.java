package io.paxlog.client;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientConnection;
import io.paxlog.transport.client.ClientConnectionConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's state and its rules: which commands are outstanding, which server is believed to lead,
 * where each command goes next and when it gives up.
 *
 * <p>Threads: everything here runs on the client's one network thread ({@link #loop}), the same thread
 * its connections run on, so nothing is locked: other threads hand work over with {@link #onLoop}.
 * Futures are completed on the {@link #callbacks} executor, so a slow user callback cannot stall the
 * network thread.
 *
 * <p>The window (why sequences, not a count): a server keeps each client's results for its last W
 * sequences, W being the exactly-once window, and answers a sequence at or below {@code highest - W}
 * "expired" whether or not it was applied. So a command may be sent only while its sequence is less
 * than {@code maxOutstanding} above the oldest outstanding sequence: then every outstanding command,
 * and every retry of one, stays inside the window as long as {@code maxOutstanding <= W}.
 * Invariant: {@code waiting} is empty or there is no room.
 *
 * <p>Queries (reads) take the same path to the leader, with the same hints, backoffs, no-leader and
 * request timeouts, but outside the window: they have no sequence, so they are sent at once (at most
 * {@code maxWaiting} of them in flight). A read changes nothing, so every failure of one is "not
 * applied", and any answer but APPLIED or REJECTED (a lost connection, ERROR from a stopping server)
 * just sends it to the next server.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(PaxlogClient.class);

    private static final String UNKNOWN_TAIL =
            "it may or may not have been applied; submitting it again makes a new command, which may apply twice";

    private final ClientConfig config;
    private final long clientId;
    private final EventLoop loop;
    private final Executor callbacks;
    private final Map<Integer, ServerLink> links = new LinkedHashMap<>();
    /** Server ids in the configured order: the order servers are tried in while no leader is known. */
    private final int[] order;
    private final SplittableRandom random;

    /** Sent and not finished, by sequence. */
    private final TreeMap<Long, PendingCommand> outstanding = new TreeMap<>();
    private final ArrayDeque<PendingCommand> waiting = new ArrayDeque<>();
    /** Queries sent and not finished. */
    private final Set<PendingCommand> reads = new LinkedHashSet<>();
    private long nextQueryId = 1;
    private long nextSequence = 1;
    /** Call ids only need to be unique among one connection's pending calls; one counter does that. */
    private long nextCallId = 1;
    /** The server believed to lead, 0 when unknown. Mirrored in {@link #leaderSeen} for other threads. */
    private int leader;
    private volatile int leaderSeen;
    /** Index into {@link #order} of the server to try next while no leader is known. */
    private int probe;

    /**
     * Since when no attempt of any command found a leader (-1: one did since), and what each server
     * said in that time. Shared by all commands, so a command submitted into a cluster already known
     * to have no leader fails after one attempt instead of waiting out the no-leader timeout again.
     */
    private long noLeaderSinceNanos = -1;
    private final Map<Integer, String> noLeaderAnswers = new HashMap<>();
    private boolean closed;
    private boolean admitting;

    Dispatcher(ClientConfig config, EventLoopGroup group, Executor callbacks, long seed) {
        this.config = config;
        this.clientId = config.clientId();
        this.loop = group.next();
        this.callbacks = callbacks;
        this.random = new SplittableRandom(seed);
        this.order = config.servers().keySet().stream().mapToInt(Integer::intValue).toArray();
        for (Map.Entry<Integer, InetSocketAddress> server : config.servers().entrySet()) {
            ClientConnectionConfig connection = new ClientConnectionConfig(config.clusterId(), server.getValue(),
                    config.frameBytesMax(), config.connectTimeout(), ClientConnectionConfig.PING_INTERVAL_DEFAULT);
            links.put(server.getKey(), new ServerLink(server.getKey(), connection, group));
        }
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

    // ---- Commands in

    void submitted(PendingCommand command) {
        if (closed) {
            fail(command, new CommandNotAppliedException(clientId, 0, name(command) + ": not sent: the client is closed"));
            return;
        }
        if (!hasRoom() && waiting.size() >= config.maxWaiting()) {
            fail(command, new CommandNotAppliedException(clientId, 0, name(command) + ": not sent: "
                    + outstanding.size() + " commands are outstanding (maxOutstanding " + config.maxOutstanding()
                    + ") and " + waiting.size() + " wait for room (maxWaiting " + config.maxWaiting() + ")"));
            return;
        }
        command.timeout = loop.schedule(() -> timedOut(command), config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        waiting.add(command);
        admit();
    }

    void queried(PendingCommand read) {
        if (!read.read) {
            throw new AssertionError("a command given as a query");
        }
        read.queryId = nextQueryId++;
        if (closed) {
            fail(read, new CommandNotAppliedException(clientId, 0, name(read) + ": not sent: the client is closed"));
            return;
        }
        if (reads.size() >= config.maxWaiting()) {
            fail(read, new CommandNotAppliedException(clientId, 0, name(read) + ": not sent: " + reads.size()
                    + " queries are in flight (maxWaiting " + config.maxWaiting() + ")"));
            return;
        }
        read.timeout = loop.schedule(() -> timedOut(read), config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        reads.add(read);
        send(read, nextTarget());
    }

    private boolean hasRoom() {
        return outstanding.isEmpty() || nextSequence - outstanding.firstKey() < config.maxOutstanding();
    }

    /**
     * Moves waiting commands into the window while there is room. A send can finish a command at once
     * (a known-dead cluster), which calls back here: the flag makes that a no-op and this loop picks the
     * room up, so the stack stays flat however many commands wait.
     */
    private void admit() {
        if (admitting) {
            return;
        }
        admitting = true;
        try {
            while (!waiting.isEmpty() && hasRoom()) {
                PendingCommand command = waiting.poll();
                command.sequence = nextSequence++;
                outstanding.put(command.sequence, command);
                send(command, nextTarget());
            }
        } finally {
            admitting = false;
        }
    }

    /** The leader if known, else the server whose turn it is. */
    private int nextTarget() {
        return leader != 0 ? leader : order[probe];
    }

    // ---- Attempts

    private void send(PendingCommand command, int server) {
        command.attempt++;
        command.server = server;
        command.stage = PendingCommand.Stage.CONNECTING;
        int attempt = command.attempt;
        links.get(server).withConnection(System.nanoTime(),
                (connection, error) -> connected(command, attempt, server, connection, error));
    }

    private void connected(PendingCommand command, int attempt, int server, ClientConnection connection, Throwable error) {
        if (stale(command, attempt)) {
            return;
        }
        if (error == null && !connection.isOpen()) {
            error = new IllegalStateException("connection closed before the command was sent");
        }
        if (error != null) {
            // Nothing was sent on this attempt: it does not make the outcome unknown.
            noLeader(command, server, "unreachable (" + describe(error) + ")");
            return;
        }
        command.stage = PendingCommand.Stage.SENT;
        ClientCall call = command.read ? ClientCall.read(nextCallId++, command.payload)
                : new ClientCall(nextCallId++, clientId, command.sequence, command.payload);
        connection.call(call).whenComplete((answer, failure) -> onLoop(() -> answered(command, attempt, server, answer, failure)));
    }

    private void answered(PendingCommand command, int attempt, int server, ClientAnswer answer, Throwable error) {
        if (stale(command, attempt)) {
            return;
        }
        if (error != null && command.read) {
            noLeader(command, server, "connection lost with the query pending (" + describe(error) + ")");
            return;
        }
        if (error != null) {
            // The call was handed to the connection and then it ended: the server may have it in its log.
            command.reached(config.describe(server));
            noLeader(command, server, "connection lost with the command pending (" + describe(error) + ")");
            return;
        }
        if (command.read && answer.status() == ClientAnswer.Status.ERROR) {
            // Typically a stopping server; asking another one is safe for a read.
            noLeader(command, server, "ERROR (" + answer.message() + ")");
            return;
        }
        switch (answer.status()) {
            case APPLIED -> {
                setLeader(server, "it applied " + name(command));
                clearNoLeader();
                complete(command, new Result(answer.slot(), answer.result()));
            }
            case NOT_LEADER -> {
                // A leader deposed while the command waited answers NOT_LEADER, yet a later leader may
                // still choose the copy in its log: the outcome is open from here on. Not so for a read.
                if (!command.read) {
                    command.reached(config.describe(server));
                }
                int hint = answer.leaderHint();
                if (hint != 0 && hint != server && links.containsKey(hint)) {
                    followHint(command, server, hint, answer.message());
                } else {
                    if (hint != 0 && !links.containsKey(hint)) {
                        log.debug("client {}: server {} says server {} leads, which is not among {}",
                                clientId, server, hint, config.servers().keySet());
                    }
                    noLeader(command, server, "NOT_LEADER (" + answer.message() + ")");
                }
            }
            case NO_QUORUM -> {
                // As for NOT_LEADER: a leader that lost its majority may have logged the command first.
                if (!command.read) {
                    command.reached(config.describe(server));
                }
                noLeader(command, server, "NO_QUORUM (" + answer.message() + ")");
            }
            case BUSY -> {
                // Says nothing about who leads; the command was refused before it reached the log.
                command.lastOutcome = config.describe(server) + " BUSY (" + answer.message() + ")";
                backOff(command);
            }
            case REJECTED -> rejected(command, server, answer.message());
            case ERROR -> fail(command, new ServerErrorException(clientId, command.sequence, server, answer.message(),
                    name(command) + ": outcome unknown: " + config.describe(server) + " answered ERROR: "
                            + answer.message() + "; " + UNKNOWN_TAIL));
        }
    }

    private void followHint(PendingCommand command, int server, int hint, String message) {
        command.lastOutcome = config.describe(server) + " NOT_LEADER, leader " + hint;
        noLeaderAnswers.put(server, "NOT_LEADER, points to " + hint + " (" + message + ")");
        if (noLeaderSinceNanos < 0) {
            noLeaderSinceNanos = System.nanoTime();
        }
        setLeader(hint, "server " + server + " points to it");
        if (command.hintsFollowed++ < order.length) {
            send(command, hint);
        } else {
            // Hints keep pointing around without a server that leads (stale hints after an election).
            command.hintsFollowed = 0;
            if (!gaveUp(command)) {
                backOff(command);
            }
        }
    }

    /** The attempt found no leader at {@code server}: remember it, give up or try the next server. */
    private void noLeader(PendingCommand command, int server, String what) {
        command.lastOutcome = config.describe(server) + " " + what;
        command.hintsFollowed = 0;
        noLeaderAnswers.put(server, what);
        if (noLeaderSinceNanos < 0) {
            noLeaderSinceNanos = System.nanoTime();
        }
        if (leader == server) {
            setLeader(0, config.describe(server) + " " + what);
        }
        probe = (indexOf(server) + 1) % order.length;
        if (!gaveUp(command)) {
            backOff(command);
        }
    }

    /**
     * Fails {@code command} if for the no-leader timeout every server has been tried and none led. Its
     * outcome is unknown if any of its attempts reached a server that may have logged it.
     */
    private boolean gaveUp(PendingCommand command) {
        if (noLeaderSinceNanos < 0 || noLeaderAnswers.size() < order.length) {
            return false;
        }
        long lasted = System.nanoTime() - noLeaderSinceNanos;
        if (lasted < config.noLeaderTimeout().toNanos()) {
            return false;
        }
        StringBuilder answers = new StringBuilder();
        for (int server : order) {
            answers.append(answers.length() == 0 ? "" : ", ").append(config.describe(server))
                    .append(' ').append(noLeaderAnswers.get(server));
        }
        String seen = "for " + human(Duration.ofNanos(lasted)) + " no server led: " + answers;
        if (command.mayHaveBeenApplied) {
            fail(command, new NoQuorumException(clientId, command.sequence, name(command) + ": no quorum: " + seen
                    + "; outcome unknown: " + command.reachedBy + " may have logged it before losing its leadership, so "
                    + UNKNOWN_TAIL));
        } else {
            fail(command, new UnavailableException(clientId, command.sequence, name(command) + ": unavailable: " + seen
                    + "; not applied: no server took it"));
        }
        return true;
    }

    private void rejected(PendingCommand command, int server, String message) {
        if (command.mayHaveBeenApplied) {
            // A retry refused as too old for the exactly-once window: the first copy may have applied.
            fail(command, new OutcomeUnknownException(clientId, command.sequence, name(command) + ": outcome unknown: "
                    + config.describe(server) + " rejected a retry (" + message + ") after an earlier attempt reached "
                    + command.reachedBy + "; " + UNKNOWN_TAIL, null));
        } else {
            fail(command, new CommandRejectedException(clientId, command.sequence, server, message,
                    name(command) + ": rejected by " + config.describe(server) + ": " + message + "; not applied"));
        }
    }

    private void backOff(PendingCommand command) {
        command.stage = PendingCommand.Stage.BACKOFF;
        long min = config.retryBackoffMin().toNanos();
        long max = config.retryBackoffMax().toNanos();
        long delay = Math.min(max, min << Math.min(command.backoffs, 20));
        command.backoffs++;
        // Jitter, so commands pipelined together do not retry in lockstep.
        delay = delay / 2 + random.nextLong(delay / 2 + 1);
        int attempt = command.attempt;
        command.retry = loop.schedule(() -> {
            if (!stale(command, attempt) && !closed) {
                send(command, nextTarget());
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    private void timedOut(PendingCommand command) {
        if (command.stage == PendingCommand.Stage.DONE) {
            return;
        }
        String after = " after " + human(config.requestTimeout());
        if (command.read) {
            String last = command.lastOutcome.isEmpty() ? "" : " (last: " + command.lastOutcome + ")";
            String where = command.stage == PendingCommand.Stage.SENT
                    ? ": no answer yet from " + config.describe(command.server) : "";
            fail(command, new QueryTimeoutException(clientId, name(command) + ": timed out" + after + where + last
                    + "; a read changes nothing, so asking again is safe"));
            return;
        }
        switch (command.stage) {
            case WAITING -> fail(command, new CommandNotAppliedException(clientId, 0, name(command) + ": not sent"
                    + after + ": it waited for room behind " + outstanding.size() + " outstanding commands (maxOutstanding "
                    + config.maxOutstanding() + ", oldest " + name(outstanding.firstEntry().getValue()) + ")"));
            case SENT -> fail(command, new OutcomeUnknownException(clientId, command.sequence, name(command)
                    + ": outcome unknown" + after + ": no answer yet from " + config.describe(command.server) + "; "
                    + UNKNOWN_TAIL, null));
            case CONNECTING, BACKOFF -> {
                String last = command.lastOutcome.isEmpty() ? "" : " (last: " + command.lastOutcome + ")";
                if (command.mayHaveBeenApplied) {
                    fail(command, new OutcomeUnknownException(clientId, command.sequence, name(command)
                            + ": outcome unknown" + after + last + ": an attempt reached " + command.reachedBy + "; "
                            + UNKNOWN_TAIL, null));
                } else {
                    fail(command, new UnavailableException(clientId, command.sequence, name(command)
                            + ": unavailable" + after + last + "; not applied: no server took it"));
                }
            }
            default -> throw new AssertionError("unexpected stage " + command.stage);
        }
    }

    // ---- Leader belief

    private void setLeader(int server, String why) {
        if (server != leader) {
            log.debug("client {}: leader {} -> {}: {}", clientId,
                    leader == 0 ? "unknown" : config.describe(leader),
                    server == 0 ? "unknown" : config.describe(server), why);
            leader = server;
            leaderSeen = server;
        }
    }

    private void clearNoLeader() {
        noLeaderSinceNanos = -1;
        noLeaderAnswers.clear();
    }

    private int indexOf(int server) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] == server) {
                return i;
            }
        }
        throw new AssertionError("server " + server + " is not configured");
    }

    // ---- Endings

    private void complete(PendingCommand command, Result result) {
        finish(command);
        deliver(() -> command.future.complete(result));
    }

    private void fail(PendingCommand command, PaxlogClientException exception) {
        if (command.stage != PendingCommand.Stage.DONE) {
            finish(command);
        }
        log.debug("client {}: {}", clientId, exception.getMessage());
        deliver(() -> command.future.completeExceptionally(exception));
    }

    private void finish(PendingCommand command) {
        boolean wasWaiting = command.stage == PendingCommand.Stage.WAITING;
        command.stage = PendingCommand.Stage.DONE;
        if (command.timeout != null) {
            command.timeout.cancel(false);
        }
        if (command.retry != null) {
            command.retry.cancel(false);
        }
        if (command.read) {
            reads.remove(command);
        } else if (wasWaiting) {
            waiting.remove(command);
        } else if (command.sequence != 0 && outstanding.remove(command.sequence) != command) {
            throw new AssertionError(name(command) + " was not outstanding");
        }
        if (!closed) {
            admit();
        }
    }

    private void deliver(Runnable completion) {
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException e) {
            // The callback executor is gone (closing): complete here rather than never.
            completion.run();
        }
    }

    private static boolean stale(PendingCommand command, int attempt) {
        return command.stage == PendingCommand.Stage.DONE || command.attempt != attempt;
    }

    /**
     * Fails every command (outstanding ones as unknown unless no attempt reached a server; waiting ones
     * as not sent) and closes the connections. Returns futures that complete when they have ended.
     */
    List<CompletableFuture<Void>> close() {
        closed = true;
        for (PendingCommand command : new ArrayList<>(outstanding.values())) {
            boolean open = command.mayHaveBeenApplied || command.stage == PendingCommand.Stage.SENT;
            if (open) {
                fail(command, new OutcomeUnknownException(clientId, command.sequence, name(command)
                        + ": outcome unknown: the client was closed with the command outstanding; " + UNKNOWN_TAIL, null));
            } else {
                fail(command, new CommandNotAppliedException(clientId, command.sequence, name(command)
                        + ": not applied: the client was closed before any server took it"));
            }
        }
        for (PendingCommand command : new ArrayList<>(waiting)) {
            fail(command, new CommandNotAppliedException(clientId, 0, name(command) + ": not sent: the client was closed"));
        }
        for (PendingCommand read : new ArrayList<>(reads)) {
            fail(read, new CommandNotAppliedException(clientId, 0, name(read)
                    + ": not answered: the client was closed; a read changes nothing"));
        }
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (ServerLink link : links.values()) {
            ended.add(link.close());
        }
        return ended;
    }

    private String name(PendingCommand command) {
        if (command.read) {
            return "query c" + clientId + "/q" + command.queryId;
        }
        return PaxlogClientException.command(clientId, command.sequence);
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
