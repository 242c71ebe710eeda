package io.paxlog.client.core;

import io.paxlog.client.core.Outcome.NotApplied;
import io.paxlog.client.core.Outcome.Unknown;
import io.paxlog.client.core.Request.Deadline;
import io.paxlog.client.core.Request.Stage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The client's rules as a deterministic state machine: which requests are outstanding, which server is
 * believed to lead, where each request goes next, when it is retried and when it gives up, and what its
 * caller may assume when it does ({@link Outcome}). Events go in as method calls, each returning the
 * {@link Effect}s to carry out; nothing here does I/O, reads a clock or draws randomness of its own:
 * time is the {@code now} of each event (nanoseconds of the owner's monotonic clock, never going
 * back) and randomness (the backoff's jitter) comes from the given generator. So the Netty client and
 * the simulator run the same rules.
 *
 * <p>Threads: a core is owned by one thread, which makes every call; it is not thread-safe and takes no
 * locks. Effects of one call are returned before the next call is made; the owner may make the next
 * call while still carrying out the last one's effects (a connect that fails at once), as long as it
 * carries every returned list out in order.
 *
 * <p>An attempt is one try of one request at one server: {@link Effect.Connect} asks for a connection,
 * {@link #connected} or {@link #connectFailed} reports it; on {@code connected} the core sends
 * ({@link Effect.SendCommand}, {@link Effect.SendQuery}) if the request still wants it, and the owner
 * then reports {@link #answered} or {@link #lost}. The line between "failed before sending" and "lost
 * after sending" is the line between "not applied" and "outcome unknown".
 *
 * <p>The window (why sequences, not a count): a server keeps each client's results for its last W
 * sequences, W being the exactly-once window, and answers a sequence at or below {@code highest - W}
 * "expired" whether or not it was applied. So a command may be sent only while its sequence is less
 * than {@code maxOutstanding} above the oldest outstanding sequence: then every outstanding command,
 * and every retry of one, stays inside the window as long as {@code maxOutstanding <= W}.
 * Invariant: {@link #waiting} is empty or there is no room.
 *
 * <p>Queries take the same path to the leader, with the same hints, backoffs, no-leader and request
 * timeouts, but outside the window: they have no sequence, so they are sent at once (at most
 * {@code maxWaiting} in flight). A read changes nothing, so every failure of one is "not applied", and
 * any answer but APPLIED or REJECTED (a lost connection, ERROR from a stopping server) just sends it to
 * the next server.
 *
 * @param <H> the caller's handle for a request, handed back in {@link Effect.Complete}
 */
public final class ClientCore<H> {

    private static final String UNKNOWN_TAIL =
            "it may or may not have been applied; submitting it again makes a new command, which may apply twice";
    private static final long NONE = Long.MIN_VALUE;

    private final ClientCoreConfig config;
    private final long clientId;
    private final RandomGenerator random;
    /** Server ids in the configured order: the order servers are tried in while no leader is known. */
    private final int[] order;

    /** Sent and not finished, by sequence. */
    private final TreeMap<Long, Request<H>> outstanding = new TreeMap<>();
    private final ArrayDeque<Request<H>> waiting = new ArrayDeque<>();
    /** Queries sent and not finished. */
    private final Set<Request<H>> queries = new LinkedHashSet<>();
    /** Keyed commands sent and not finished: each has its own id, outside the window. */
    private final Set<Request<H>> keyed = new LinkedHashSet<>();
    /** The session this client's commands carry (docs/protocol.md#client-sessions); 0 while none is open. */
    private final SessionKeeper session = new SessionKeeper();
    /** The current attempt of every request that has one under way, by attempt id. */
    private final Map<Long, Request<H>> attempts = new HashMap<>();
    /** Every request's timeout and retry, earliest first. */
    private final TreeSet<Deadline> deadlines =
            new TreeSet<>(Comparator.comparingLong(Deadline::at).thenComparingLong(Deadline::order));
    private long nextDeadlineOrder;
    private long nextQueryId = 1;
    private long nextSequence = 1;
    /** Attempt ids double as call ids, which need only be unique among one connection's calls. */
    private long nextAttempt = 1;
    /** The server believed to lead, 0 when unknown. */
    private int leader;
    /** Index into {@link #order} of the server to try next while no leader is known. */
    private int probe;
    /** Set by the first APPLIED answer: from then on this client has seen its cluster led. */
    private boolean leaderSeen;

    /**
     * Since when no attempt of any request found a leader ({@link #NONE}: one did since), and what each
     * server said in that time. Shared by all requests, so a request submitted into a cluster already
     * known to have no leader fails after one attempt instead of waiting out the no-leader timeout again.
     */
    private long noLeaderSince = NONE;
    private final Map<Integer, String> noLeaderAnswers = new HashMap<>();
    /** Whether, in that time, some server answered (rather than none being reachable). */
    private boolean noLeaderAnswered;
    /** When each server last answered, in that time, that it does not lead. */
    private final Map<Integer, Long> saidNotLeaderAt = new HashMap<>();

    /** The earliest time a timer was asked for and has not fired since, or {@link #NONE}. */
    private long armedAt = NONE;
    private long lastNow = NONE;
    private boolean closed;
    /** The effects of the call under way. */
    private List<Effect<H>> out = new ArrayList<>();

    public ClientCore(ClientCoreConfig config, RandomGenerator random) {
        if (config == null || random == null) {
            throw new IllegalArgumentException("a client core needs its configuration and a random generator");
        }
        this.config = config;
        this.clientId = config.clientId();
        this.random = random;
        this.order = config.servers().keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** The server this client believes leads, 0 if it knows none. */
    public int leader() {
        return leader;
    }

    /** Commands in the window, waiting for room or under a key, plus queries in flight: requests not yet complete. */
    public int pending() {
        return outstanding.size() + waiting.size() + queries.size() + keyed.size();
    }

    /** The session this client's commands carry now, 0 while none is open. */
    public long session() {
        return session.id();
    }

    // ---- Events

    /** A command to apply once; {@code payload} is the core's from now on. */
    public List<Effect<H>> submitCommand(H handle, byte[] payload, long now) {
        begin(now);
        Request<H> command = new Request<>(handle, payload, Request.Kind.COMMAND, 0);
        if (closed) {
            finish(command, new NotApplied(NotApplied.Reason.CLOSED, name(command) + ": not sent: the client is closed"));
        } else if (!hasRoom() && waiting.size() >= config.maxWaiting()) {
            finish(command, new NotApplied(NotApplied.Reason.NO_ROOM, name(command) + ": not sent: "
                    + outstanding.size() + " commands are outstanding (maxOutstanding " + config.maxOutstanding()
                    + ") and " + waiting.size() + " wait for room (maxWaiting " + config.maxWaiting() + ")"));
        } else {
            command.timeout = deadline(command, now + config.requestTimeoutNanos(), Request.Wait.REQUEST);
            waiting.add(command);
            admit();
        }
        return end();
    }

    /** A read-only query; {@code payload} is the core's from now on. */
    public List<Effect<H>> submitQuery(H handle, byte[] payload, long now) {
        begin(now);
        Request<H> query = new Request<>(handle, payload, Request.Kind.QUERY, nextQueryId++);
        if (closed) {
            finish(query, new NotApplied(NotApplied.Reason.CLOSED, name(query) + ": not sent: the client is closed"));
        } else if (queries.size() >= config.maxWaiting()) {
            finish(query, new NotApplied(NotApplied.Reason.NO_ROOM, name(query) + ": not sent: " + queries.size()
                    + " queries are in flight (maxWaiting " + config.maxWaiting() + ")"));
        } else {
            query.timeout = deadline(query, now + config.requestTimeoutNanos(), Request.Wait.REQUEST);
            queries.add(query);
            attempt(query, nextTarget());
        }
        return end();
    }

    /**
     * A command under an idempotency key: it carries {@code keyId} (in {@link ClientIdRanges#isKeyed the
     * keyed range}) and sequence 1 in every attempt, outside the session and its window; every retry,
     * by this client or any other with the same key, names the same log command, and the servers answer
     * a repeat with the saved result, or KEY_REUSED when the key was applied with other bytes.
     */
    public List<Effect<H>> submitKeyed(H handle, long keyId, byte[] payload, long now) {
        begin(now);
        if (!ClientIdRanges.isKeyed(keyId)) {
            throw new IllegalArgumentException("key id " + keyId + " is not in the keyed range [2^61, 2^62)");
        }
        Request<H> command = new Request<>(handle, payload, Request.Kind.KEYED, 0);
        command.clientId = keyId;
        command.sequence = 1;
        if (closed) {
            finish(command, new NotApplied(NotApplied.Reason.CLOSED, name(command) + ": not sent: the client is closed"));
        } else if (keyed.size() >= config.maxWaiting()) {
            finish(command, new NotApplied(NotApplied.Reason.NO_ROOM, name(command) + ": not sent: " + keyed.size()
                    + " keyed commands are in flight (maxWaiting " + config.maxWaiting() + ")"));
        } else {
            command.timeout = deadline(command, now + config.requestTimeoutNanos(), Request.Wait.REQUEST);
            keyed.add(command);
            attempt(command, nextTarget());
        }
        return end();
    }

    /** Attempt {@code attempt} has its connection: the core sends its call if it still wants it. */
    public List<Effect<H>> connected(long attempt, long now) {
        begin(now);
        Request<H> request = current(attempt, Stage.CONNECTING);
        if (request != null) {
            request.stage = Stage.SENT;
            if (config.attemptTimeoutNanos() > 0) {
                request.attemptDeadline = deadline(request, now + config.attemptTimeoutNanos(), Request.Wait.ATTEMPT);
            }
            switch (request.kind) {
                case QUERY -> out.add(new Effect.SendQuery<>(attempt, request.server, request.payload));
                case COMMAND, KEYED -> out.add(new Effect.SendCommand<>(attempt, request.server, request.clientId,
                        request.sequence, request.payload));
                case REGISTER -> out.add(new Effect.SendRegister<>(attempt, request.server));
                case KEEP_ALIVE -> out.add(new Effect.SendKeepAlive<>(attempt, request.server, request.clientId));
            }
        }
        return end();
    }

    /** Attempt {@code attempt} sent nothing: no connection could be had, or the call could not be written. */
    public List<Effect<H>> connectFailed(long attempt, String why, long now) {
        begin(now);
        Request<H> request = current(attempt, null);
        if (request != null) {
            // Nothing was sent on this attempt: it does not make the outcome unknown.
            attempts.remove(attempt);
            noLeader(request, request.server, "unreachable (" + why + ")", false);
        }
        return end();
    }

    /** The call of attempt {@code attempt} was sent and its connection ended before an answer came. */
    public List<Effect<H>> lost(long attempt, String why, long now) {
        begin(now);
        Request<H> request = current(attempt, Stage.SENT);
        if (request != null) {
            attempts.remove(attempt);
            if (request.query) {
                noLeader(request, request.server, "connection lost with the query pending (" + why + ")", false);
            } else {
                // The call was handed to the connection and then it ended: the server may have it in its log.
                request.reached(config.describe(request.server));
                noLeader(request, request.server, "connection lost with the command pending (" + why + ")", false);
            }
        }
        return end();
    }

    /** The server answered attempt {@code attempt}. */
    public List<Effect<H>> answered(long attempt, ServerAnswer answer, long now) {
        begin(now);
        Request<H> request = current(attempt, Stage.SENT);
        if (request != null) {
            attempts.remove(attempt);
            answered(request, request.server, answer);
        }
        return end();
    }

    /**
     * The owner learned, outside the protocol, which server leads: a forwarding server knows whether it
     * leads itself or whom it follows. Requests from now on go there first; an unknown server or 0 is
     * ignored. Requests under way keep their attempts (the hint may be stale; answers correct it).
     */
    public List<Effect<H>> leaderHint(int server, long now) {
        begin(now);
        if (server != 0 && config.servers().containsKey(server)) {
            setLeader(server, "the owner says it leads");
        }
        return end();
    }

    /** A timer armed by {@link Effect.ArmTimer} fired (or any other wake-up: extra ones are harmless). */
    public List<Effect<H>> timerFired(long now) {
        begin(now);
        armedAt = NONE;
        if (!closed && session.keepAliveDue(now)) {
            Request<H> keepAlive = new Request<>(null, new byte[0], Request.Kind.KEEP_ALIVE, 0);
            keepAlive.clientId = session.id();
            keepAlive.timeout = deadline(keepAlive, now + config.requestTimeoutNanos(), Request.Wait.REQUEST);
            session.keepAliveSent(keepAlive);
            attempt(keepAlive, nextTarget());
        }
        while (!deadlines.isEmpty() && deadlines.first().at() <= now) {
            Deadline due = deadlines.pollFirst();
            @SuppressWarnings("unchecked")
            Request<H> request = (Request<H>) due.request();
            switch (due.kind()) {
                case RETRY -> {
                    request.retry = null;
                    attempt(request, nextTarget());
                }
                case REQUEST -> {
                    request.timeout = null;
                    timedOut(request);
                }
                case ATTEMPT -> {
                    request.attemptDeadline = null;
                    silent(request, due.attempt());
                }
            }
        }
        return end();
    }

    /**
     * Ends every request: commands in the window as unknown if an attempt may have reached a server,
     * else as not applied; waiting commands and queries as not applied. Later submits fail as not sent.
     */
    public List<Effect<H>> close(long now) {
        begin(now);
        closed = true;
        List<Request<H>> inFlight = new ArrayList<>(outstanding.values());
        inFlight.addAll(keyed);
        for (Request<H> own : session.<H>ownRequests()) {
            finish(own, new NotApplied(NotApplied.Reason.CLOSED, name(own) + ": the client was closed"));
        }
        for (Request<H> command : inFlight) {
            if (command.mayHaveBeenApplied || command.stage == Stage.SENT) {
                finish(command, new Unknown(Unknown.Reason.CLOSED, name(command)
                        + ": outcome unknown: the client was closed with the command outstanding; " + UNKNOWN_TAIL));
            } else {
                finish(command, new NotApplied(NotApplied.Reason.CLOSED, name(command)
                        + ": not applied: the client was closed before any server took it"));
            }
        }
        for (Request<H> command : new ArrayList<>(waiting)) {
            finish(command, new NotApplied(NotApplied.Reason.CLOSED, name(command) + ": not sent: the client was closed"));
        }
        for (Request<H> query : new ArrayList<>(queries)) {
            finish(query, new NotApplied(NotApplied.Reason.CLOSED, name(query)
                    + ": not answered: the client was closed; a read changes nothing"));
        }
        return end();
    }

    // ---- Steps

    private void begin(long now) {
        if (lastNow != NONE && now < lastNow) {
            throw new IllegalArgumentException("time went back from " + lastNow + " to " + now);
        }
        lastNow = now;
        out = new ArrayList<>();
    }

    /** Asks for a timer if the earliest deadline comes before any asked for, and hands the effects over. */
    private List<Effect<H>> end() {
        long keepAliveAt = closed ? NONE : session.keepAliveAt();
        if (!deadlines.isEmpty() || keepAliveAt != NONE) {
            long earliest = deadlines.isEmpty() ? keepAliveAt
                    : keepAliveAt == NONE ? deadlines.first().at() : Math.min(keepAliveAt, deadlines.first().at());
            if (armedAt == NONE || earliest < armedAt) {
                armedAt = earliest;
                out.add(new Effect.ArmTimer<>(earliest));
            }
        }
        List<Effect<H>> done = out;
        out = new ArrayList<>();
        return done;
    }

    /** The request whose current attempt is {@code attempt}, or null if the event is stale. */
    private Request<H> current(long attempt, Stage expected) {
        Request<H> request = attempts.get(attempt);
        if (request == null) {
            return null;
        }
        if (expected != null && request.stage != expected) {
            throw new IllegalStateException("attempt " + attempt + " of " + name(request) + " is " + request.stage
                    + ", not " + expected + ": the owner reported its events out of order");
        }
        return request;
    }

    private Deadline deadline(Request<H> request, long at, Request.Wait kind) {
        Deadline deadline = new Deadline(at, nextDeadlineOrder++, request, kind, request.attempt);
        deadlines.add(deadline);
        return deadline;
    }

    private boolean hasRoom() {
        return outstanding.isEmpty() || nextSequence - outstanding.firstKey() < config.maxOutstanding();
    }

    /** Moves waiting commands into the window while there is room, once a session is open. */
    private void admit() {
        if (!closed && !waiting.isEmpty() && session.id() == 0 && !session.opening()) {
            Request<H> register = new Request<>(null, new byte[0], Request.Kind.REGISTER, 0);
            register.timeout = deadline(register, lastNow + config.requestTimeoutNanos(), Request.Wait.REQUEST);
            session.registerSent(register);
            attempt(register, nextTarget());
        }
        while (!closed && !waiting.isEmpty() && session.id() != 0 && hasRoom()) {
            Request<H> command = waiting.poll();
            command.clientId = session.id();
            command.sequence = nextSequence++;
            outstanding.put(command.sequence, command);
            attempt(command, nextTarget());
        }
    }

    /** The leader if known, else the server whose turn it is. */
    private int nextTarget() {
        return leader != 0 ? leader : order[probe];
    }

    private void attempt(Request<H> request, int server) {
        dropAttemptDeadline(request);
        request.attempt = nextAttempt++;
        request.server = server;
        request.stage = Stage.CONNECTING;
        attempts.put(request.attempt, request);
        out.add(new Effect.Connect<>(request.attempt, server));
    }

    private void answered(Request<H> request, int server, ServerAnswer answer) {
        if (request.query && answer.status() == ServerAnswer.Status.ERROR) {
            // Typically a stopping server; asking another one is safe for a read.
            noLeader(request, server, "ERROR (" + answer.message() + ")", false);
            return;
        }
        switch (answer.status()) {
            case APPLIED -> {
                setLeader(server, "it applied " + name(request));
                leaderSeen = true;
                clearNoLeader();
                if (request.kind == Request.Kind.COMMAND || request.kind == Request.Kind.KEEP_ALIVE) {
                    session.active(request.clientId, lastNow);
                }
                finish(request, new Outcome.Applied(answer.slot(), answer.result()));
            }
            case SESSION_EXPIRED -> sessionExpired(request, server, answer.message());
            case KEY_REUSED -> {
                if (request.kind != Request.Kind.KEYED || request.mayHaveBeenApplied) {
                    // After an attempt that may have reached a log, the key may have expired and been reused since.
                    rejected(request, server, "KEY_REUSED: " + answer.message());
                } else {
                    finish(request, new Outcome.Rejected(Outcome.Rejected.Reason.KEY_REUSED, server, answer.message(),
                            name(request) + ": not applied: " + config.describe(server) + " answered KEY_REUSED: "
                                    + answer.message()));
                }
            }
            case NOT_LEADER -> {
                // A leader deposed while the command waited answers NOT_LEADER, yet a later leader may
                // still choose the copy in its log: the outcome is open from here on. Not so for a read.
                if (!request.query) {
                    request.reached(config.describe(server));
                }
                int hint = answer.leaderHint();
                if (hint != 0 && hint != server && config.servers().containsKey(hint)) {
                    followHint(request, server, hint, answer.message());
                } else {
                    String unknownHint = hint != 0 && !config.servers().containsKey(hint)
                            ? ", points to " + hint + ", which is not among " + config.servers().keySet() : "";
                    noLeader(request, server, "NOT_LEADER (" + answer.message() + ")" + unknownHint, true);
                }
            }
            case NO_QUORUM -> {
                // As for NOT_LEADER: a leader that lost its majority may have logged the command first.
                if (!request.query) {
                    request.reached(config.describe(server));
                }
                noLeader(request, server, "NO_QUORUM (" + answer.message() + ")", true);
            }
            case BUSY -> {
                // Says nothing about who leads; the command was refused before it reached the log.
                request.lastOutcome = config.describe(server) + " BUSY (" + answer.message() + ")";
                backOff(request);
            }
            case REJECTED -> rejected(request, server, answer.message());
            case ERROR -> finish(request, new Unknown(Unknown.Reason.SERVER_ERROR, server, answer.message(),
                    name(request) + ": outcome unknown: " + config.describe(server) + " answered ERROR: "
                            + answer.message() + "; " + UNKNOWN_TAIL));
        }
    }

    private void followHint(Request<H> request, int server, int hint, String message) {
        Long hintSaidNotLeader = saidNotLeaderAt.get(hint);
        if (hintSaidNotLeader != null && lastNow - hintSaidNotLeader < config.noLeaderTimeoutNanos() / 2) {
            // The hint points back at a server that just told us itself it does not lead: a follower that
            // has not yet noticed its leader lost the majority (it keeps the leader until its own election
            // timeout). Going back there bounces between the two for that long (the old leader's own HTTP
            // port waited 4 s in a 2|3 split); ask the next server instead. A hint older than half the
            // no-leader wait is followed, so a server that really became leader meanwhile is reached.
            // Not counted as a "no leader" answer: that server believes one leads, so the no-leader wait
            // does not end on it (a deaf leader's followers point at it until their election timeout).
            request.lastOutcome = config.describe(server) + " NOT_LEADER, points to " + hint + ", which said it "
                    + "does not lead " + human(lastNow - hintSaidNotLeader) + " ago (" + message + ")";
            request.hintsFollowed = 0;
            probe = (indexOf(server) + 1) % order.length;
            backOff(request);
            return;
        }
        request.lastOutcome = config.describe(server) + " NOT_LEADER, leader " + hint;
        noteNoLeader(server, "NOT_LEADER, points to " + hint + " (" + message + ")", true);
        setLeader(hint, "server " + server + " points to it");
        if (request.hintsFollowed++ < order.length) {
            attempt(request, hint);
        } else {
            // Hints keep pointing around without a server that leads (stale hints after an election).
            request.hintsFollowed = 0;
            if (!gaveUp(request)) {
                backOff(request);
            }
        }
    }

    /** The attempt found no leader at {@code server}: remember it, give up or try the next server. */
    private void noLeader(Request<H> request, int server, String what, boolean serverAnswered) {
        noLeader(request, server, what, serverAnswered, true);
    }

    /**
     * As above; {@code mayGiveUp} false after an attempt that got no answer at all: the other servers'
     * "no leader" answers may be older than that silence (an election may have ended while we waited),
     * so the next server is asked before the request is given up (found by the simulator: a command
     * given up 400 ms into a new leader's term, right after an attempt at a paused server).
     */
    private void noLeader(Request<H> request, int server, String what, boolean serverAnswered, boolean mayGiveUp) {
        request.lastOutcome = config.describe(server) + " " + what;
        request.hintsFollowed = 0;
        noteNoLeader(server, what, serverAnswered);
        if (leader == server) {
            setLeader(0, config.describe(server) + " " + what);
        }
        probe = (indexOf(server) + 1) % order.length;
        if (!mayGiveUp || !gaveUp(request)) {
            backOff(request);
        }
    }

    private void noteNoLeader(int server, String what, boolean serverAnswered) {
        noLeaderAnswers.put(server, what);
        noLeaderAnswered |= serverAnswered;
        if (serverAnswered) {
            saidNotLeaderAt.put(server, lastNow);
        }
        if (noLeaderSince == NONE) {
            noLeaderSince = lastNow;
        }
    }

    /**
     * Ends {@code request} if for the no-leader wait every server has been tried and none led. Its
     * outcome is unknown if any of its attempts reached a server that may have logged it.
     *
     * <p>The wait is the no-leader timeout, except before this client ever saw a leader while servers do
     * answer: then they are most likely holding their first election, which the client waits out
     * ({@code firstLeaderWait}) instead of failing a command submitted right after the servers started.
     */
    private boolean gaveUp(Request<H> request) {
        if (noLeaderSince == NONE || noLeaderAnswers.size() < order.length) {
            return false;
        }
        long lasted = lastNow - noLeaderSince;
        long wait = config.noLeaderTimeoutNanos();
        if (!leaderSeen && noLeaderAnswered) {
            wait = Math.max(wait, config.firstLeaderWaitNanos());
        }
        if (lasted < wait) {
            return false;
        }
        StringBuilder answers = new StringBuilder();
        for (int server : order) {
            answers.append(answers.length() == 0 ? "" : ", ").append(config.describe(server))
                    .append(' ').append(noLeaderAnswers.get(server));
        }
        String seen = "for " + human(lasted) + " no server led: " + answers;
        if (request.mayHaveBeenApplied) {
            finish(request, new Unknown(Unknown.Reason.NO_LEADER, name(request) + ": no quorum: " + seen
                    + "; outcome unknown: " + request.reachedBy + " may have logged it before losing its leadership, so "
                    + UNKNOWN_TAIL));
        } else {
            finish(request, new NotApplied(NotApplied.Reason.UNAVAILABLE, name(request) + ": unavailable: " + seen
                    + "; not applied: no server took it"));
        }
        return true;
    }

    /**
     * The server says {@code request}'s session is not open. That copy was not applied; an earlier
     * attempt's copy may have been, before the expiry, so the command is unknown if one may have reached
     * a log and not applied otherwise. Every other command of the session that may have reached a log is
     * unknown for the same reason; those that never left the client wait for the next session, which
     * the client opens at once if any command waits.
     */
    private void sessionExpired(Request<H> request, int server, String message) {
        String what = config.describe(server) + " answered SESSION_EXPIRED: " + message;
        if (request.kind != Request.Kind.COMMAND && request.kind != Request.Kind.KEEP_ALIVE) {
            rejected(request, server, "SESSION_EXPIRED: " + message);
            return;
        }
        if (session.expired(request.clientId)) {
            nextSequence = 1;
            for (Request<H> other : new ArrayList<>(outstanding.values())) {
                if (other == request) {
                    continue;
                }
                if (other.mayHaveBeenApplied || other.stage == Stage.SENT) {
                    finish(other, new Unknown(Unknown.Reason.SESSION_EXPIRED, name(other) + ": outcome unknown: "
                            + "its session expired while it was outstanding (" + what + "); " + UNKNOWN_TAIL));
                } else {
                    requeue(other);
                }
            }
        }
        if (request.kind == Request.Kind.KEEP_ALIVE) {
            finish(request, new NotApplied(NotApplied.Reason.SESSION_EXPIRED, name(request) + ": " + what));
        } else if (request.mayHaveBeenApplied) {
            finish(request, new Unknown(Unknown.Reason.SESSION_EXPIRED, name(request) + ": outcome unknown: " + what
                    + "; an earlier attempt reached " + request.reachedBy + " and may have been applied before the "
                    + "session expired; " + UNKNOWN_TAIL));
        } else {
            finish(request, new NotApplied(NotApplied.Reason.SESSION_EXPIRED, name(request) + ": not applied: " + what
                    + "; no earlier attempt of it reached a server"));
        }
    }

    /** A command of an expired session that never left the client goes back to wait for the next session. */
    private void requeue(Request<H> command) {
        if (outstanding.remove(command.sequence) != command) {
            throw new AssertionError(name(command) + " was not outstanding");
        }
        if (command.retry != null) {
            deadlines.remove(command.retry);
            command.retry = null;
        }
        dropAttemptDeadline(command);
        attempts.remove(command.attempt);
        command.stage = Stage.WAITING;
        command.clientId = 0;
        command.sequence = 0;
        command.backoffs = 0;
        waiting.addFirst(command);
    }

    private void rejected(Request<H> request, int server, String message) {
        if (request.mayHaveBeenApplied) {
            // A retry refused as too old for the exactly-once window: the first copy may have applied.
            finish(request, new Unknown(Unknown.Reason.RETRY_REJECTED, name(request) + ": outcome unknown: "
                    + config.describe(server) + " rejected a retry (" + message + ") after an earlier attempt reached "
                    + request.reachedBy + "; " + UNKNOWN_TAIL));
        } else {
            finish(request, new Outcome.Rejected(server, message,
                    name(request) + ": rejected by " + config.describe(server) + ": " + message + "; not applied"));
        }
    }

    private void backOff(Request<H> request) {
        request.stage = Stage.BACKOFF;
        long min = config.retryBackoffMinNanos();
        long max = config.retryBackoffMaxNanos();
        long delay = Math.min(max, min << Math.min(request.backoffs, 20));
        request.backoffs++;
        // Jitter, so commands pipelined together do not retry in lockstep.
        delay = delay / 2 + random.nextLong(delay / 2 + 1);
        request.retry = deadline(request, lastNow + delay, Request.Wait.RETRY);
    }

    private void dropAttemptDeadline(Request<H> request) {
        if (request.attemptDeadline != null) {
            deadlines.remove(request.attemptDeadline);
            request.attemptDeadline = null;
        }
    }

    /**
     * Attempt {@code attempt} of {@code request} got no answer within the attempt timeout: its server is
     * paused, partitioned or overloaded. Stop waiting on it, forget it as the leader, and resubmit to the
     * next server with the same sequence. The call may yet have reached a log, so a command's outcome is
     * unknown from here unless an answer settles it; a late answer to the abandoned attempt is ignored
     * (the retry's answer carries the same result, exactly-once).
     */
    private void silent(Request<H> request, long attempt) {
        if (request.attempt != attempt || request.stage != Stage.SENT) {
            return; // the attempt ended meanwhile
        }
        attempts.remove(attempt);
        int server = request.server;
        if (!request.query) {
            request.reached(config.describe(server));
        }
        noLeader(request, server, "no answer within " + human(config.attemptTimeoutNanos()), false, false);
    }

    private void timedOut(Request<H> request) {
        String after = " after " + human(config.requestTimeoutNanos());
        String last = request.lastOutcome.isEmpty() ? "" : " (last: " + request.lastOutcome + ")";
        if (request.query) {
            String where = request.stage == Stage.SENT ? ": no answer yet from " + config.describe(request.server) : "";
            finish(request, new NotApplied(NotApplied.Reason.QUERY_TIMED_OUT, name(request) + ": timed out" + after
                    + where + last + "; a read changes nothing, so asking again is safe"));
            return;
        }
        switch (request.stage) {
            case WAITING -> finish(request, outstanding.isEmpty()
                    ? new NotApplied(NotApplied.Reason.NO_SESSION, name(request) + ": not sent" + after
                            + ": no session could be opened (" + session.lastFailure() + ")")
                    : new NotApplied(NotApplied.Reason.WAITED_FOR_ROOM, name(request)
                    + ": not sent" + after + ": it waited for room behind " + outstanding.size()
                    + " outstanding commands (maxOutstanding " + config.maxOutstanding() + ", oldest "
                    + name(outstanding.firstEntry().getValue()) + ")"));
            case SENT -> finish(request, new Unknown(Unknown.Reason.TIMED_OUT, name(request) + ": outcome unknown"
                    + after + ": no answer yet from " + config.describe(request.server) + "; " + UNKNOWN_TAIL));
            case CONNECTING, BACKOFF -> {
                if (request.mayHaveBeenApplied) {
                    finish(request, new Unknown(Unknown.Reason.TIMED_OUT, name(request) + ": outcome unknown"
                            + after + last + ": an attempt reached " + request.reachedBy + "; " + UNKNOWN_TAIL));
                } else {
                    finish(request, new NotApplied(NotApplied.Reason.UNAVAILABLE, name(request) + ": unavailable"
                            + after + last + "; not applied: no server took it"));
                }
            }
            case DONE -> throw new AssertionError("the timeout of " + name(request) + " fired after it completed");
        }
    }

    // ---- Leader belief

    private void setLeader(int server, String why) {
        if (server != leader) {
            out.add(new Effect.LeaderChanged<>(leader, server, why));
            leader = server;
        }
    }

    private void clearNoLeader() {
        noLeaderSince = NONE;
        noLeaderAnswers.clear();
        saidNotLeaderAt.clear();
        noLeaderAnswered = false;
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

    /** Completes {@code request} with {@code outcome}, once, and lets waiting commands into the room it leaves. */
    private void finish(Request<H> request, Outcome outcome) {
        if (request.stage == Stage.DONE) {
            throw new AssertionError(name(request) + " completed twice");
        }
        boolean wasWaiting = request.stage == Stage.WAITING;
        request.stage = Stage.DONE;
        if (request.timeout != null) {
            deadlines.remove(request.timeout);
            request.timeout = null;
        }
        if (request.retry != null) {
            deadlines.remove(request.retry);
            request.retry = null;
        }
        dropAttemptDeadline(request);
        attempts.remove(request.attempt);
        if (request.kind.internal()) {
            session.ended(request, outcome, lastNow);
            if (request.kind == Request.Kind.REGISTER && outcome instanceof NotApplied notApplied
                    && notApplied.reason() == NotApplied.Reason.UNAVAILABLE) {
                // No server led for the no-leader wait: the commands waiting for the session fail as fast as
                // commands of an open session would; none of them was ever sent.
                for (Request<H> command : new ArrayList<>(waiting)) {
                    finish(command, new NotApplied(NotApplied.Reason.UNAVAILABLE, name(command)
                            + ": not sent: no session could be opened: " + notApplied.message()));
                }
            } else if (request.kind == Request.Kind.REGISTER && outcome instanceof Outcome.Rejected rejected) {
                // Refused for good (a server of another cluster says so before reading the call): the
                // commands waiting for the session were never sent and would be refused the same way.
                for (Request<H> command : new ArrayList<>(waiting)) {
                    finish(command, new Outcome.Rejected(rejected.server(), rejected.serverMessage(), name(command)
                            + ": not sent: no session could be opened: " + rejected.message()));
                }
            }
            admit();
            return;
        }
        if (request.query) {
            queries.remove(request);
        } else if (request.kind == Request.Kind.KEYED) {
            keyed.remove(request);
        } else if (wasWaiting) {
            waiting.remove(request);
        } else if (request.sequence != 0 && outstanding.remove(request.sequence) != request) {
            throw new AssertionError(name(request) + " was not outstanding");
        }
        out.add(new Effect.Complete<>(request.handle, request.sequence, outcome));
        admit();
    }

    private String name(Request<H> request) {
        return switch (request.kind) {
            case QUERY -> "query c" + clientId + "/q" + request.queryId;
            case COMMAND -> "command c" + clientId + (request.clientId == 0 ? "" : " s" + request.clientId) + "#"
                    + (request.sequence == 0 ? "-" : Long.toString(request.sequence));
            case KEYED -> "keyed command c" + clientId + " k" + Long.toHexString(request.clientId);
            case REGISTER -> "register of c" + clientId;
            case KEEP_ALIVE -> "keep-alive of c" + clientId + " s" + request.clientId;
        };
    }

    /** {@code 700 ms}, {@code 5 s}, {@code 1.5 s}. */
    static String human(long nanos) {
        long millis = nanos / 1_000_000;
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
