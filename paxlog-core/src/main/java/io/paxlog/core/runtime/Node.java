package io.paxlog.core.runtime;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.service.Service;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.ClientIds;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.MembershipChange;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.core.Role;
import io.paxlog.core.SessionCommand;
import io.paxlog.core.runtime.CommandAnswer.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One server, everything it does that is not a thread, a socket or a file: the {@link ReplicaLoop}
 * (and with it the core, the exactly-once table and the state machine), request ids, the commands and
 * reads waiting for an answer and where each answer goes, the service's leader duties and who proposes
 * them, and the status it publishes. The real server ({@code ServerLoop}: a thread and its queues) and
 * the simulator drive this same class, so what decides anything here runs under the simulator.
 *
 * <p>Events in: {@link #receive} a message, {@link #tick} the time, {@link #persisted} a batch durable,
 * {@link #snapshotSaved} a snapshot durable, {@link #command} and {@link #read} from a client. Effects
 * out, through the ports it was built with: writes to {@link Storage}, messages to {@link Transport},
 * and exactly one {@link CommandAnswer} to the {@link ReplyChannel} of every command and read.
 *
 * <p>Time: every event carries the current time in milliseconds of a monotonic clock (the simulator's,
 * or the server's), which the node keeps as its notion of now; it reads no clock of its own.
 *
 * <p>Thread: every method must be called from the one thread that owns the node. Reply channels are
 * called on that thread too.
 *
 * <p>Internal clients: commands the node proposes for the service's {@link LeaderDuties} are commands
 * of a client id reserved for the leadership term, {@link #dutyClientId(Epoch)}, in the range from
 * {@link #INTERNAL_CLIENT_ID_MIN} that clients may not use ({@link #command} refuses them). A term's
 * leader is the only one to use its id, and numbers its sequences 1, 2, 3, ...: they are never reused by
 * another server, nor after a restart (a restarted server leads only at a higher epoch).
 */
public final class Node {

    /** Client ids from here up belong to the runtime's own proposals: 2^62. */
    public static final long INTERNAL_CLIENT_ID_MIN = 1L << 62;

    /**
     * What a node needs besides its parts.
     *
     * @param replica           the core's configuration
     * @param exactlyOnceWindow results kept per client for retries; must match across the cluster
     * @param commandBytesMax   largest command or query payload accepted from a client
     * @param snapshots         when the node takes snapshots by itself
     * @param sessions          the session limits its clock commands carry, and how often it proposes one
     */
    public record Config(ReplicaConfig replica, int exactlyOnceWindow, int commandBytesMax,
            ReplicaLoop.SnapshotPolicy snapshots, SessionConfig sessions) {

        /** With the default session settings. */
        public Config(ReplicaConfig replica, int exactlyOnceWindow, int commandBytesMax,
                ReplicaLoop.SnapshotPolicy snapshots) {
            this(replica, exactlyOnceWindow, commandBytesMax, snapshots, SessionConfig.DEFAULT);
        }

        public Config {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(snapshots, "snapshots");
            Objects.requireNonNull(sessions, "sessions");
            if (exactlyOnceWindow < 1 || commandBytesMax < 1) {
                throw new IllegalArgumentException("exactlyOnceWindow and commandBytesMax must be positive: "
                        + exactlyOnceWindow + ", " + commandBytesMax);
            }
        }
    }

    /** A command or read handed to the core and not yet answered; {@code query} is null for a command. */
    private record Waiting(ReplyChannel reply, byte[] query) {}

    private static final ReplyChannel NOBODY = answer -> { };

    private final Config config;
    private final int selfId;
    private final StateMachine machine;
    private final LeaderDuties duties;
    private final ReplicaLoop loop;
    /** Invariant: holds exactly the requests handed to the core and not yet answered. */
    private final Map<Long, Waiting> waiting = new HashMap<>();
    private long nextRequestId = 1;
    private long now;
    /** The term whose internal client the duties propose as, and the last sequence used in it. */
    private Epoch dutyTerm;
    private long dutySequence;
    /** Proposes the clock commands of log time while this server leads. */
    private final SessionClock clock;
    /** The session layer's commands this node proposed since it started (their sequences; never deduplicated). */
    private long sessionLayerSequence;
    /** The wall clock as last told, and the monotonic time it was told at; 0 while never told. */
    private long wallMillis;
    private long wallToldAt;
    private boolean stopped;

    private Node(Builder parts, long now) {
        this.config = Objects.requireNonNull(parts.config, "config");
        this.selfId = config.replica().selfId();
        this.machine = Objects.requireNonNull(parts.machine, "stateMachine");
        this.duties = Objects.requireNonNull(parts.duties, "leaderDuties");
        this.now = now;
        this.clock = new SessionClock(config.sessions());
        this.loop = parts.loop.config(config.replica()).exactlyOnceWindow(config.exactlyOnceWindow())
                .snapshotPolicy(config.snapshots()).stateMachine(machine).responder(new Answers()).start(now);
    }

    public static Builder builder(Config config) {
        return new Builder(config);
    }

    /** The parts of a node; {@link #storage}, {@link #transport}, a state machine and {@link #random} are required. */
    public static final class Builder {
        private final Config config;
        private final ReplicaLoop.Builder loop = ReplicaLoop.builder();
        private StateMachine machine;
        private LeaderDuties duties = LeaderDuties.NONE;

        private Builder(Config config) {
            this.config = config;
        }

        /** See {@link ReplicaLoop.Builder#storage}. */
        public Builder storage(Storage storage, Storage.DurableCallback durableCallback,
                Storage.DurableCallback snapshotCallback) {
            loop.storage(storage, durableCallback, snapshotCallback);
            return this;
        }

        public Builder transport(Transport transport) {
            loop.transport(transport);
            return this;
        }

        /** A fresh state machine of {@code service} and its leader duties. */
        public Builder service(Service<?, ?> service) {
            StateMachine fresh = service.newStateMachine();
            return stateMachine(fresh, service.newLeaderDuties(fresh));
        }

        /** An empty state machine, and the leader duties over it ({@link LeaderDuties#NONE} for none). */
        public Builder stateMachine(StateMachine machine, LeaderDuties duties) {
            this.machine = machine;
            this.duties = duties;
            return this;
        }

        public Builder random(RandomGenerator random) {
            loop.random(random);
            return this;
        }

        public Builder factory(ReplicaFactory factory) {
            loop.factory(factory);
            return this;
        }

        public Builder observer(ReplicaLoop.Observer observer) {
            loop.observer(observer);
            return this;
        }

        /** Recovers durable state and starts the core at time {@code now}. */
        public Node start(long now) {
            return new Node(this, now);
        }
    }

    // ---- Events ----

    public void receive(Envelope envelope, long now) {
        advance(now);
        // The time too: whether this server heard from a live leader lately decides its pre-vote answers.
        loop.receive(envelope, now);
    }

    /**
     * Time passed, with the wall clock's reading in milliseconds since the epoch ({@code
     * System.currentTimeMillis()} on a server, the simulator's time plus the server's skew): the core's
     * timers, then the leader's duties, among them the clock commands of log time. The wall time is
     * only ever proposed, never used to decide anything here.
     */
    public void tick(long now, long wallMillis) {
        if (wallMillis < 1) {
            throw new IllegalArgumentException("wall time must be positive, was " + wallMillis);
        }
        this.wallMillis = wallMillis;
        this.wallToldAt = now;
        tick(now);
    }

    /**
     * Time passed; the wall clock advanced as the monotonic one since it was last told ({@link
     * #tick(long, long)}). A node never told the wall time proposes no clock commands, and its log runs
     * by the rules of before sessions (tests of the protocol alone drive it so).
     */
    public void tick(long now) {
        advance(now);
        loop.tick(now);
        Replica replica = loop.replica();
        Epoch leading = replica.role() == Role.LEADER ? replica.ownEpoch() : null;
        SessionCommand.Clock due = clock.due(leading, now, wallMillis == 0 ? 0 : wallMillis + (now - wallToldAt));
        if (due != null) {
            proposeSessionLayer(due, NOBODY);
        }
        List<byte[]> proposals = duties.tick(leading, now);
        if (proposals.isEmpty()) {
            return;
        }
        if (leading == null) {
            throw new AssertionError("server " + selfId + ": leader duties proposed " + proposals.size()
                    + " commands while not leading");
        }
        if (!leading.equals(dutyTerm)) {
            dutyTerm = leading;
            dutySequence = 0;
        }
        for (byte[] payload : proposals) {
            // Nobody waits for a duty's command: the duty proposes it again if it is still due.
            Command command = new Command(dutyClientId(leading), ++dutySequence, payload);
            loop.submit(new ClientRequest(handOver(NOBODY, null), command));
        }
    }

    public void persisted(long batchId, long now) {
        advance(now);
        loop.persisted(batchId);
    }

    public void snapshotSaved(long slot, long now) {
        advance(now);
        loop.snapshotSaved(slot);
    }

    /**
     * A client's command. {@code reply} gets exactly one answer: at once when the call is malformed or
     * the node stopped, else once the command is applied or refused.
     */
    public void command(long clientId, long sequence, byte[] payload, ReplyChannel reply, long now) {
        Objects.requireNonNull(reply, "reply");
        advance(now);
        ClientRequest request = admit(clientId, sequence, payload, reply);
        if (request != null) {
            loop.submit(request);
        }
    }

    /** A client's command as {@link #commands} takes it. */
    public record CommandCall(long clientId, long sequence, byte[] payload, ReplyChannel reply) {

        public CommandCall {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /**
     * Several clients' commands at once, each answered as by {@link #command} and proposed in this
     * order, in one step of the core: a leader writes and stores them together (see
     * {@link io.paxlog.core.Replica#submitAll}), so a loop that drained many calls from its queue costs
     * one log write and one store per peer instead of one per command.
     */
    public void commands(List<CommandCall> calls, long now) {
        advance(now);
        List<ClientRequest> requests = new ArrayList<>(calls.size());
        for (CommandCall call : calls) {
            ClientRequest request = admit(call.clientId(), call.sequence(), call.payload(), call.reply());
            if (request != null) {
                requests.add(request);
            }
        }
        if (!requests.isEmpty()) {
            loop.submitAll(requests);
        }
    }

    /** The request for a well-formed call on a running node; else answers it at once and returns null. */
    private ClientRequest admit(long clientId, long sequence, byte[] payload, ReplyChannel reply) {
        String problem = clientId < 1 || sequence < 1 || payload == null
                ? "client ids and sequences start at 1 and a payload is required (client " + clientId + ", sequence "
                        + sequence + ")"
                : clientId >= INTERNAL_CLIENT_ID_MIN
                        ? "client id " + clientId + " is in the range reserved for the servers' own proposals (2^62 and up)"
                        : ClientIds.isKeyed(clientId) && sequence != 1
                                ? "client id " + clientId + " is an idempotency key's (2^61 to 2^62), whose one command has "
                                        + "sequence 1, not " + sequence
                        : payload.length > config.commandBytesMax()
                                ? "command of " + payload.length + " bytes is above this server's limit of "
                                        + config.commandBytesMax()
                                : null;
        if (problem != null) {
            reply.answer(CommandAnswer.refused(Status.REJECTED, 0, problem));
            return null;
        }
        if (stopped) {
            reply.answer(stoppedAnswer());
            return null;
        }
        return new ClientRequest(handOver(reply, null), new Command(clientId, sequence, payload));
    }

    /**
     * A client opens a session: a register command through the log. {@code reply} gets exactly one
     * answer, as for {@link #command}; APPLIED carries the new session's id (the register's slot, also
     * the answer's slot) and the log's session timeout in milliseconds, as two big-endian longs.
     */
    public void register(ReplyChannel reply, long now) {
        Objects.requireNonNull(reply, "reply");
        advance(now);
        if (stopped) {
            reply.answer(stoppedAnswer());
            return;
        }
        proposeSessionLayer(new SessionCommand.Register(), reply);
    }

    /**
     * A client keeps its idle session {@code sessionId} alive: a keep-alive command through the log.
     * APPLIED when the session was open; SESSION_EXPIRED when it is not.
     */
    public void keepAlive(long sessionId, ReplyChannel reply, long now) {
        Objects.requireNonNull(reply, "reply");
        advance(now);
        if (!ClientIds.isSession(sessionId)) {
            reply.answer(CommandAnswer.refused(Status.REJECTED, 0, "id " + sessionId + " is no session id (1 to 2^61)"));
            return;
        }
        if (stopped) {
            reply.answer(stoppedAnswer());
            return;
        }
        proposeSessionLayer(new SessionCommand.KeepAlive(sessionId), reply);
    }

    /**
     * A client's read-only query, answered from the state machine ({@link StateMachine#query}) once
     * read-index proved the state current, without writing to the log; {@code reply} gets exactly one
     * answer, as for {@link #command}.
     */
    public void read(byte[] query, ReplyChannel reply, long now) {
        Objects.requireNonNull(reply, "reply");
        advance(now);
        if (query == null || query.length > config.commandBytesMax()) {
            reply.answer(CommandAnswer.refused(Status.REJECTED, 0, query == null ? "a query is required"
                    : "query of " + query.length + " bytes is above this server's limit of " + config.commandBytesMax()));
            return;
        }
        if (stopped) {
            reply.answer(stoppedAnswer());
            return;
        }
        loop.read(handOver(reply, query));
    }

    /**
     * An operator's membership change (docs/membership.md#operations). {@code reply} gets exactly one
     * answer: APPLIED with the new membership ({@link MembershipChange.Result#encode}) once the change
     * is chosen and applied; REJECTED when it was chosen but refused (its version was not the current
     * one, the server was already a member...) or when the leader would not propose a promotion of a
     * learner that lags: in both cases the membership did not change; NOT_LEADER or NO_QUORUM when this
     * server does not lead; ERROR (outcome unknown) when the node stops first.
     */
    public void changeMembership(MembershipChange change, ReplyChannel reply, long now) {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(reply, "reply");
        advance(now);
        if (stopped) {
            reply.answer(stoppedAnswer());
            return;
        }
        loop.submitChange(handOver(reply, null), change);
    }

    /** Takes a snapshot of the applied state now; see {@link ReplicaLoop#takeSnapshot}. */
    public long takeSnapshot() {
        return loop.takeSnapshot();
    }

    /**
     * The node stops taking calls: every command and read still waiting gets {@code answer} (an outcome
     * unknown: a command may still be chosen by a later leader), and later calls get the same.
     */
    public void stop(CommandAnswer answer) {
        Objects.requireNonNull(answer, "answer");
        if (answer.status() == Status.APPLIED) {
            throw new IllegalArgumentException("a stopping node cannot answer APPLIED");
        }
        stopped = true;
        List<Waiting> left = new ArrayList<>(waiting.values());
        waiting.clear();
        for (Waiting call : left) {
            call.reply().answer(answer);
        }
    }

    // ---- What it shows ----

    public NodeStatus status() {
        return NodeStatus.of(loop.replica(), waiting.size());
    }

    /** The core, for the simulator's checks and for logging; read it, do not step it. */
    public Replica replica() {
        return loop.replica();
    }

    public int selfId() {
        return selfId;
    }

    /**
     * The internal client id of the leadership term at {@code epoch}: {@code 2^62 + round * 2^16 +
     * serverId}, unique per epoch.
     */
    public static long dutyClientId(Epoch epoch) {
        // Rounds below 2^45 keep duty ids below the session layer's range (ClientIds).
        if (epoch.serverId() >= 1 << 16 || epoch.round() >= 1L << 45) {
            throw new AssertionError("epoch " + epoch + " does not fit an internal client id");
        }
        return INTERNAL_CLIENT_ID_MIN + (epoch.round() << 16) + epoch.serverId();
    }

    // ---- Inside ----

    private void advance(long now) {
        if (now < this.now) {
            throw new IllegalArgumentException("time went back from " + this.now + " to " + now + " ms");
        }
        this.now = now;
    }

    private void proposeSessionLayer(SessionCommand command, ReplyChannel reply) {
        Command logged = new Command(ClientIds.sessionLayer(selfId), ++sessionLayerSequence, command.encode());
        loop.submit(new ClientRequest(handOver(reply, null), logged));
    }

    private long handOver(ReplyChannel reply, byte[] query) {
        long requestId = nextRequestId++;
        waiting.put(requestId, new Waiting(reply, query));
        return requestId;
    }

    private Waiting take(long requestId) {
        Waiting call = waiting.remove(requestId);
        if (call == null) {
            throw new AssertionError("server " + selfId + ": the core answered request " + requestId
                    + ", which is not waiting");
        }
        return call;
    }

    private CommandAnswer stoppedAnswer() {
        return CommandAnswer.refused(Status.ERROR, 0, "server " + selfId + " is stopping; the outcome is unknown");
    }

    /** Turns the core's answers into client answers. */
    private final class Answers implements Responder {

        @Override
        public void applied(long requestId, long slot, ExactlyOnce.Outcome outcome) {
            ReplyChannel reply = take(requestId).reply();
            switch (outcome.kind()) {
                case APPLIED, DUPLICATE -> reply.answer(CommandAnswer.applied(slot, outcome.result()));
                case EXPIRED -> reply.answer(CommandAnswer.refused(Status.REJECTED, 0,
                        "the sequence is older than the last " + config.exactlyOnceWindow()
                                + " of this client: whether it was applied is unknown"));
                case SESSION_EXPIRED -> reply.answer(CommandAnswer.refused(Status.SESSION_EXPIRED, 0,
                        "this copy was not applied: its session is not open (silent for longer than the session "
                                + "timeout, or never opened), so whether an earlier copy was applied cannot be told any "
                                + "more; open a new session"));
                case KEY_REUSED -> reply.answer(CommandAnswer.refused(Status.KEY_REUSED, 0,
                        "not applied: the idempotency key was used before with another command; use a new key"));
                // A full table empties as sessions and keys expire: the caller may retry later.
                case REFUSED -> reply.answer(CommandAnswer.refused(Status.BUSY, 0, "not applied: "
                        + outcome.reason()));
                case NOOP -> throw new AssertionError("a no-op answered request " + requestId);
            }
        }

        @Override
        public void changed(long requestId, long slot, MembershipChange.Result result) {
            ReplyChannel reply = take(requestId).reply();
            if (result.applied()) {
                reply.answer(CommandAnswer.applied(slot, result.encode()));
            } else {
                // Chosen, and refused where it was applied: the membership is as it was.
                reply.answer(CommandAnswer.refused(Status.REJECTED, 0, "membership change refused at slot " + slot
                        + ": " + result.reason() + " (current membership " + result.membership() + ")"));
            }
        }

        @Override
        public void refused(Refusal refusal) {
            ReplyChannel reply = take(refusal.requestId()).reply();
            switch (refusal.reason()) {
                case NOT_LEADER -> reply.answer(refusal.leaderHint() != 0
                        ? CommandAnswer.refused(Status.NOT_LEADER, refusal.leaderHint(),
                                "server " + selfId + " does not lead; server " + refusal.leaderHint() + " does")
                        : CommandAnswer.refused(Status.NO_QUORUM, 0, "server " + selfId
                                + " does not lead and knows no leader: no majority reachable, or an election is "
                                + "under way"));
                case BUSY -> reply.answer(CommandAnswer.refused(Status.BUSY, 0,
                        "the leader's queue is full; retry later"));
                case LEARNER_BEHIND -> reply.answer(CommandAnswer.refused(Status.REJECTED, 0,
                        "promotion refused, nothing proposed: the learner is not within "
                                + replica().config().reconfig().promoteLagMax()
                                + " slots of the leader's chosen prefix (or the leader has not heard from it yet);"
                                + " retry once it has caught up"));
            }
        }

        @Override
        public void readReady(long requestId, long appliedSlot) {
            Waiting call = take(requestId);
            if (call.query() == null) {
                throw new AssertionError("server " + selfId + ": request " + requestId + " is a command, not a read");
            }
            byte[] result;
            try {
                result = machine.query(call.query());
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                call.reply().answer(CommandAnswer.refused(Status.REJECTED, 0, "query refused: " + e.getMessage()));
                return;
            }
            Replica replica = loop.replica();
            Epoch leading = replica.role() == Role.LEADER ? replica.ownEpoch() : null;
            call.reply().answer(CommandAnswer.applied(appliedSlot, duties.decorateRead(leading, call.query(), result, now)));
        }
    }
}
