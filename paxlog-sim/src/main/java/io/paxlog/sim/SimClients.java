package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.client.core.ClientCore;
import io.paxlog.client.core.ClientCoreConfig;
import io.paxlog.client.core.Effect;
import io.paxlog.client.core.Outcome;
import io.paxlog.client.core.ServerAnswer;
import io.paxlog.core.runtime.CommandAnswer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The simulated clients and their history. Each client runs the client library's own rules, the
 * {@link ClientCore} that {@code PaxlogClient} runs over Netty, here over the simulated network:
 * connections to a server that is down fail before anything is sent, a call on the wire to a server that
 * crashes is lost (outcome unknown from there), a paused server answers nothing (the core's attempt
 * timeout moves on). What the core reports is what a user would be told, and it is checked: an
 * operation reported applied must be linearizable with the log, and one reported not applied must never
 * be in the log ({@link #checkLabels}).
 *
 * <p>Thread: the simulation's.
 */
final class SimClients {

    /** The client library's timings, scaled to the simulator's election timeouts (150-300 ms). */
    static final long ATTEMPT_TIMEOUT_MS = 400;
    static final long REQUEST_TIMEOUT_MS = 3_000;
    static final long NO_LEADER_TIMEOUT_MS = 1_000;
    /**
     * In a minority-only run, how long any command may take, from invocation to answer: three election
     * timeouts (the minority's fault may cost a leader, and a new one must be elected), two attempt
     * timeouts (a client may first try faulty servers that never answer) and a few LAN delays.
     */
    static final long AVAILABILITY_BOUND_MS = 3 * Simulation.ELECTION_MAX_MS + 2 * ATTEMPT_TIMEOUT_MS
            + 4 * SimNetwork.HEALED_DELAY_MAX_MS;
    private static final long NANOS = 1_000_000;

    private final Simulation sim;
    private final SimWorkload workload;
    private final Checker checker;
    private final SplittableRandom random;
    private final SplittableRandom workloadRandom;
    private final int servers;
    private final List<SimClient> clients = new ArrayList<>();
    private final List<OpRecord> history = new ArrayList<>();
    /** {@code (clientId, sequence)} of every command a client was told was not applied. */
    private final Set<Long> notApplied = new HashSet<>();
    private long commandsCompleted;
    private long livenessSince = Long.MAX_VALUE;

    SimClients(Simulation sim, SimWorkload workload, Checker checker, SplittableRandom random,
            SplittableRandom workloadRandom, int servers) {
        this.sim = sim;
        this.workload = workload;
        this.checker = checker;
        this.random = random;
        this.workloadRandom = workloadRandom;
        this.servers = servers;
    }

    /** Adds {@code count} clients, each trying the servers from a random one, and lets them start. */
    void start(int count) {
        for (int i = 0; i < count; i++) {
            long clientId = 1000 + i;
            Map<Integer, String> order = new LinkedHashMap<>();
            int first = 1 + random.nextInt(servers);
            for (int k = 0; k < servers; k++) {
                int id = (first - 1 + k) % servers + 1;
                order.put(id, "s" + id);
            }
            ClientCoreConfig.Timing timing = new ClientCoreConfig.Timing(REQUEST_TIMEOUT_MS * NANOS,
                    NO_LEADER_TIMEOUT_MS * NANOS, NO_LEADER_TIMEOUT_MS * NANOS, ATTEMPT_TIMEOUT_MS * NANOS, 5 * NANOS,
                    40 * NANOS);
            ClientCore<OpRecord> core = new ClientCore<>(new ClientCoreConfig(clientId, order, timing, 1, 1),
                    random.split());
            clients.add(new SimClient(i, clientId, core));
            sim.schedule(random.nextLong(50), new Event.ClientIssue(i));
        }
    }

    List<OpRecord> history() {
        return history;
    }

    long commandsCompleted() {
        return commandsCompleted;
    }

    /** Liveness: every client has had an operation applied since the majority was healed. */
    boolean allAppliedSinceHealing() {
        return clients.stream().allMatch(this::appliedSinceHealing);
    }

    private boolean appliedSinceHealing(SimClient client) {
        return !client.busy() && client.current != null && client.current.completed()
                && client.current.completedAt >= livenessSince;
    }

    long busyCount() {
        return clients.stream().filter(SimClient::busy).count();
    }

    /** The liveness phase began: from now on every operation must be applied; idle clients start one. */
    void issueAgain() {
        livenessSince = sim.now();
        for (SimClient client : clients) {
            if (!client.busy()) {
                sim.schedule(random.nextLong(20), new Event.ClientIssue(client.index));
            }
        }
    }

    // ---- Events ----

    void issue(Event.ClientIssue event) {
        SimClient client = clients.get(event.client());
        if (client.busy() || sim.inLiveness() && appliedSinceHealing(client)) {
            return; // done: liveness asks each client for one operation applied after healing
        }
        // One operation at a time: the core gives a command the next sequence (which the workload may put
        // in its payload); a read-index read takes none.
        client.sequence++;
        SimWorkload.Op next = workload.next(client, workloadRandom);
        if (next.indexRead()) {
            client.sequence--;
        }
        long sequence = Math.max(1, client.sequence);
        OpRecord op = new OpRecord(new Command(client.clientId, sequence, next.payload()), sim.now(), next.indexRead(),
                workload);
        client.current = op;
        history.add(op);
        sim.trace().add(sim.now(), 0, "invoke", op, sequence);
        carryOut(client, op.indexRead ? client.core.submitQuery(op, next.payload(), nanos())
                : client.core.submitCommand(op, next.payload(), nanos()));
    }

    /** A connection attempt reaches {@code server}: it succeeds unless the server is down. */
    void connect(Event.ClientConnect event) {
        SimClient client = clients.get(event.client());
        carryOut(client, sim.isUp(event.server()) ? client.core.connected(event.attempt(), nanos())
                : client.core.connectFailed(event.attempt(), "s" + event.server() + " is down", nanos()));
    }

    void reply(Event.ClientReply event) {
        SimClient client = clients.get(event.client());
        SimClient.Reply reply = event.reply();
        if (client.onTheWire.remove(reply.attempt()) == null) {
            return; // the connection broke first: the client already counted the call as lost
        }
        carryOut(client, client.core.answered(reply.attempt(), translate(reply.answer()), nanos()));
    }

    void lost(Event.ClientLost event) {
        SimClient client = clients.get(event.client());
        if (client.onTheWire.remove(event.attempt()) != null) {
            carryOut(client, client.core.lost(event.attempt(), "s" + event.server() + " crashed", nanos()));
        }
    }

    void timer(Event.ClientTimer event) {
        SimClient client = clients.get(event.client());
        if (client.timerAt > sim.now()) {
            return; // a later timer replaced this one
        }
        client.timerAt = Long.MAX_VALUE;
        if (client.busy()) {
            checkAvailable(client.current);
        }
        carryOut(client, client.core.timerFired(nanos()));
    }

    /** Server {@code server} crashed: every call on the wire to it is lost, as its connections break. */
    void serverCrashed(int server) {
        for (SimClient client : clients) {
            for (Map.Entry<Long, Integer> call : client.onTheWire.entrySet()) {
                if (call.getValue() == server) {
                    sim.schedule(sim.network().clientHopMs(), new Event.ClientLost(client.index, call.getKey(), server));
                }
            }
        }
    }

    /**
     * Every command a client was told was not applied took effect at no slot of the log: a "not applied"
     * that was applied is the worst lie a client can be told (a retry applies it twice). A copy the
     * exactly-once layer refused (its session expired) may sit in the log: {@code tookEffect} says which
     * slots' commands took effect, as every server agreed.
     */
    void checkLabels(Map<Long, Command> chosen, java.util.function.LongPredicate tookEffect) {
        for (Map.Entry<Long, Command> slot : chosen.entrySet()) {
            Command command = slot.getValue();
            if (!command.isNoop() && tookEffect.test(slot.getKey())
                    && notApplied.contains(key(command.clientId(), command.sequence()))) {
                throw new Violation("outcome label: c" + command.clientId() + "#" + command.sequence()
                        + " was reported not applied, but slot " + slot.getKey() + " holds it");
            }
        }
    }

    // ---- Carrying out the core's effects ----

    private void carryOut(SimClient client, List<Effect<OpRecord>> effects) {
        Effect.Handler<OpRecord> handler = new Effect.Handler<>() {
            @Override
            public void connect(Effect.Connect<OpRecord> connect) {
                sim.schedule(sim.network().clientHopMs(), new Event.ClientConnect(client.index, connect.attempt(),
                        connect.server()));
            }

            @Override
            public void sendCommand(Effect.SendCommand<OpRecord> send) {
                Command command = new Command(send.clientId(), send.sequence(), send.payload());
                if (!java.util.Arrays.equals(command.payload(), client.current.command.payload())) {
                    throw new AssertionError("client " + client.clientId + " sends " + command + " for " + client.current);
                }
                // The core numbers commands within its session: the op is known by what it last sent.
                client.current.command = command;
                client.current.sent = true;
                send(client, send.attempt(), send.server(), command, SimClient.Request.Kind.COMMAND);
            }

            @Override
            public void sendQuery(Effect.SendQuery<OpRecord> send) {
                send(client, send.attempt(), send.server(), client.current.command, SimClient.Request.Kind.READ);
            }

            @Override
            public void sendRegister(Effect.SendRegister<OpRecord> send) {
                send(client, send.attempt(), send.server(), new Command(client.clientId, 1, new byte[0]),
                        SimClient.Request.Kind.REGISTER);
            }

            @Override
            public void sendKeepAlive(Effect.SendKeepAlive<OpRecord> send) {
                send(client, send.attempt(), send.server(), new Command(send.sessionId(), 1, new byte[0]),
                        SimClient.Request.Kind.KEEP_ALIVE);
            }

            @Override
            public void armTimer(Effect.ArmTimer<OpRecord> timer) {
                long at = Math.max(sim.now(), (timer.at() + NANOS - 1) / NANOS);
                if (at < client.timerAt) {
                    client.timerAt = at;
                    sim.schedule(at - sim.now(), new Event.ClientTimer(client.index));
                }
            }

            @Override
            public void complete(Effect.Complete<OpRecord> complete) {
                ended(client, complete.handle(), complete.outcome());
            }

            @Override
            public void leaderChanged(Effect.LeaderChanged<OpRecord> change) {
                sim.trace().add(sim.now(), 0, "client leader", "c" + client.clientId + ": s" + change.leader(),
                        change.leader());
            }
        };
        for (Effect<OpRecord> effect : effects) {
            effect.applyTo(handler);
        }
    }

    private void send(SimClient client, long attempt, int server, Command command, SimClient.Request.Kind kind) {
        client.onTheWire.put(attempt, server);
        sim.schedule(sim.network().clientHopMs(), new Event.ClientRequest(server,
                new SimClient.Request(client.index, attempt, command, kind)));
    }

    private void ended(SimClient client, OpRecord op, Outcome reported) {
        Outcome outcome = sim.options().relabel().apply(reported);
        checkAvailable(op);
        switch (outcome.kind()) {
            case APPLIED -> applied(client, op, (Outcome.Applied) outcome);
            case NOT_APPLIED, UNKNOWN -> {
                op.failure = outcome.kind() + ": " + outcome.message();
                op.definitelyNotApplied = !outcome.mayHaveBeenApplied();
                if (op.definitelyNotApplied && !op.indexRead && op.sent) {
                    notApplied.add(key(op.command.clientId(), op.command.sequence()));
                }
                sim.trace().add(sim.now(), 0, "ended", op, outcome.kind().ordinal());
                if (sim.faults().minorityOnly() && !sim.inLiveness()) {
                    throw new Violation("availability: " + op + " while only a minority was faulty");
                }
            }
            case REJECTED -> throw new Violation("client " + client.clientId + " was told " + outcome.message()
                    + " for " + op + " (the workloads send only valid commands, within the exactly-once window)");
        }
        // After healing, a client told "not applied" or "unknown" (its core may fail fast while it still
        // believes no server leads) tries again until one operation is applied: that is what liveness asks.
        if (!sim.inLiveness() || !op.completed()) {
            sim.schedule(random.nextLong(30), new Event.ClientIssue(client.index));
        }
    }

    private void applied(SimClient client, OpRecord op, Outcome.Applied applied) {
        op.completedAt = sim.now();
        op.result = applied.result();
        op.slot = applied.slot();
        commandsCompleted++;
        sim.trace().add(sim.now(), 0, "complete", op, applied.slot());
        if (!op.indexRead) {
            checker.acknowledged(op.command, applied.slot());
        }
        for (SimWorkload.FencedWrite write : workload.completed(client, op, workloadRandom)) {
            sim.schedule(write.afterMs(), new Event.FencedWrite(write));
        }
    }

    /**
     * The availability check: while only a minority is faulty (and before the liveness phase changes
     * who is healthy), no operation may be outstanding for longer than {@link #AVAILABILITY_BOUND_MS}.
     */
    private void checkAvailable(OpRecord op) {
        long waited = sim.now() - op.invokedAt;
        if (sim.faults().minorityOnly() && !sim.inLiveness() && waited > AVAILABILITY_BOUND_MS) {
            throw new Violation("availability: " + op + " had no answer " + waited + " ms after it was invoked,"
                    + " while only a minority was faulty (bound " + AVAILABILITY_BOUND_MS + " ms)");
        }
    }

    private static ServerAnswer translate(CommandAnswer answer) {
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

    private long nanos() {
        return sim.now() * NANOS;
    }

    private static long key(long clientId, long sequence) {
        return clientId * 1_000_003L + sequence;
    }
}
