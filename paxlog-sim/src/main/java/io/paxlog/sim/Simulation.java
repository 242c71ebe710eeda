package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.Epoch;
import io.paxlog.core.Apply;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Replica;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.Node;
import io.paxlog.core.runtime.ReplicaLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One deterministic run of a simulated cluster. A single 64-bit seed fixes everything: cluster size,
 * faults, delays, the workload and which servers crash when. The servers run the real
 * {@link ReplicaLoop} and core, and by default the real write-ahead log over an in-memory disk that
 * crashes, tears writes and recovers for real ({@link WalDisk}); network and clock are simulated.
 *
 * <p>A run has two phases. Safety: faults on, clients working, every invariant checked after every
 * event. Liveness: a random majority is restarted and reconnected, faults stop, and within ten
 * election timeouts every pending command must complete and those servers must reach the same
 * applied slot. The clients' history is then checked for linearizability.
 *
 * <p>What the clients do, and which state machine the servers replicate, is the run's workload
 * ({@link SimOptions.Workload}, {@link SimWorkload}): the list-append machine by default, or the real
 * key-value store or lock service, each with its own checks on top of the protocol's.
 *
 * <p>Thread: a simulation runs on one thread; different seeds may run on different threads.
 */
public final class Simulation {

    static final long TICK_MS = 10;
    static final long ELECTION_MIN_MS = 150;
    static final long ELECTION_MAX_MS = 300;
    static final long HEARTBEAT_MS = 50;
    static final long CLIENT_TIMEOUT_MS = 400;
    static final int EXACTLY_ONCE_WINDOW = 16;
    static final int COMMAND_BYTES_MAX = 1 << 20;
    static final long SLOW_LINK_EXTRA_MS = 150;
    /** Once healed, the network is a healthy LAN again. */
    static final long HEALED_DELAY_MAX_MS = 15;
    /** A healthy run keeps a few thousand events queued; far more means messages breed messages. */
    static final int EVENTS_QUEUED_MAX = 200_000;

    private final long seed;
    private final SimOptions options;
    private final SplittableRandom random;
    private final SplittableRandom networkRandom;
    private final SplittableRandom clientRandom;
    /** Split once per server for its disk's fault choices (where a crash lands, what it tears). */
    private final SplittableRandom diskRandom;
    private final int n;
    private final Faults faults;
    private final ReplicaConfig config;
    private final ReplicaLoop.SnapshotPolicy snapshotPolicy;
    private long snapshotInstalls;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final SimServer[] servers;
    private final boolean[][] blocked;
    /** Until when each directed link is congested: messages on it get a random extra delay. */
    private final long[][] slowUntil;
    private final List<SimClient> clients = new ArrayList<>();
    private final List<OpRecord> history = new ArrayList<>();
    private final Checker checker;
    private final SimWorkload workload;
    private final Trace trace;
    private long now;
    private long order;
    private boolean liveness;
    private boolean healed;
    private long livenessDeadline;
    private int[] healedMajority;
    private boolean finished;
    private long commandsCompleted;

    /** A run of {@code seed}; package-private for tests that look inside (disk statistics). */
    Simulation(long seed, SimOptions options) {
        this.seed = seed;
        this.options = options;
        SplittableRandom master = new SplittableRandom(seed);
        this.random = master.split();
        this.networkRandom = master.split();
        this.clientRandom = master.split();
        this.diskRandom = master.split();
        // Drawn even when the size is given, so that the replay command (which names the size) replays
        // exactly the run the seed gave when it chose the size itself.
        int drawnServers = random.nextBoolean() ? 3 : 5;
        this.n = options.servers() != 0 ? options.servers() : drawnServers;
        this.faults = Faults.draw(random);
        List<Integer> members = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            members.add(id);
        }
        this.config = ReplicaConfig.defaults(1, members)
                .withTimeouts(ELECTION_MIN_MS, ELECTION_MAX_MS, HEARTBEAT_MS)
                .withLimits(8 + random.nextInt(120), 1 + random.nextInt(32), 64 + random.nextInt(2048),
                        8 + random.nextInt(120), 16 + random.nextInt(240), 64)
                // Small chunks, so a transfer takes many round trips and faults land inside it.
                .withSnapshotChunkBytes(1024 << random.nextInt(4));
        // One seed in four never snapshots; the others compact every few dozen to few hundred slots.
        this.snapshotPolicy = random.nextInt(4) == 0 ? ReplicaLoop.SnapshotPolicy.ON_DEMAND
                : new ReplicaLoop.SnapshotPolicy(10L << random.nextInt(6));
        this.servers = new SimServer[n + 1];
        this.blocked = new boolean[n + 1][n + 1];
        this.slowUntil = new long[n + 1][n + 1];
        this.trace = new Trace(options.traceLines());
        this.checker = new Checker(n);
        this.workload = SimWorkload.of(options.workload());
    }

    /** Runs one seed to the end (or to the first violation) and reports. */
    public static SeedResult run(long seed, SimOptions options) {
        return new Simulation(seed, options).run();
    }

    /** Runs this seed to the end (or to the first violation) and reports; call once. */
    SeedResult run() {
        String violation = null;
        try {
            for (int id = 1; id <= n; id++) {
                servers[id] = new SimServer(id);
                servers[id].disk = options.disk() == SimOptions.DiskModel.WAL
                        ? new WalDisk(id, diskScheduler(id), checker, diskRandom.split())
                        : new SimDisk(id, diskScheduler(id), checker);
                start(id);
            }
            int clientCount = 2 + random.nextInt(11);
            for (int i = 0; i < clientCount; i++) {
                clients.add(new SimClient(i, 1000 + i, 1 + random.nextInt(n)));
                schedule(random.nextLong(50), Event.Type.CLIENT_ISSUE, i, 0, 0, null);
            }
            schedule(faults.nemesisEveryMs(), Event.Type.NEMESIS, 0, 0, 0, null);
            schedule(options.safetyMs(), Event.Type.LIVENESS, 0, 0, 0, null);
            while (!finished) {
                Event event = queue.poll();
                if (event == null) {
                    throw new Violation("simulation ran out of events");
                }
                now = event.time;
                handle(event);
                if (queue.size() > EVENTS_QUEUED_MAX) {
                    throw new Violation("message storm: " + queue.size() + " events queued");
                }
            }
            Linearizability.check(checker.chosen(), checker.maxAppliedSlot(), history, workload.newModel(), workload);
        } catch (Violation e) {
            violation = e.getMessage();
        } catch (AssertionError | RuntimeException e) {
            violation = "server code failed: " + e;
        }
        return new SeedResult(seed, n, faults.toString(), now, trace.events(), trace.hash(), commandsCompleted,
                checker.leaderElections(), snapshotInstalls, violation, trace.lastLines(), options.asFlags());
    }

    // ---- Event dispatch ----

    private void handle(Event event) {
        switch (event.type) {
            case DELIVER -> deliver(event);
            case TICK -> {
                SimServer server = servers[event.server];
                if (server.incarnation != event.incarnation || server.node == null) {
                    return;
                }
                schedule(TICK_MS, Event.Type.TICK, event.server, event.incarnation, 0, null);
                if (!server.paused) {
                    trace.add(now, event.server, "tick", null, 0);
                    server.node.tick(now);
                    afterStep(server);
                }
            }
            case DURABLE -> {
                SimServer server = servers[event.server];
                SimStorage disk = (SimStorage) event.payload;
                long batchId = disk.complete(event.aux);
                List<Long> saved = new ArrayList<>(server.snapshotsSaved);
                server.snapshotsSaved.clear();
                if (server.incarnation != event.incarnation || server.node == null) {
                    return;
                }
                for (long slot : saved) {
                    trace.add(now, event.server, "snapshot saved", "slot " + slot, slot);
                    if (server.paused) {
                        server.deferred.add(new Event(event.time, event.order, Event.Type.SNAPSHOT_SAVED, event.server,
                                event.incarnation, slot, null));
                    } else {
                        server.node.snapshotSaved(slot, now);
                        afterStep(server);
                    }
                }
                if (batchId == 0 || server.node == null) {
                    return;
                }
                trace.add(now, event.server, "durable", "batch " + batchId, batchId);
                if (server.paused) {
                    // The disk finished while the process sleeps; the loop hears of it on resume.
                    server.deferred.add(new Event(event.time, event.order, event.type, event.server,
                            event.incarnation, batchId, disk));
                } else {
                    server.node.persisted(batchId, now);
                    afterStep(server);
                }
            }
            case CLIENT_REQUEST -> {
                SimServer server = servers[event.server];
                if (server.node == null) {
                    return; // lost: the server is down
                }
                if (server.paused) {
                    server.deferred.add(event);
                    return;
                }
                SimClient.Request request = (SimClient.Request) event.payload;
                SimClient client = clients.get(request.client());
                Command command = request.command();
                long attempt = request.attempt();
                // The answer travels back over the network, like the request came.
                io.paxlog.core.runtime.ReplyChannel reply = answer -> schedule(1 + networkRandom.nextLong(3),
                        Event.Type.CLIENT_REPLY, 0, 0, client.index, new SimClient.Reply(attempt, command.sequence(), answer));
                if (request.read()) {
                    trace.add(now, event.server, "read", command, attempt);
                    server.node.read(command.payload(), reply, now);
                } else {
                    trace.add(now, event.server, "request", command, attempt);
                    server.node.command(command.clientId(), command.sequence(), command.payload(), reply, now);
                }
                afterStep(server);
            }
            case CLIENT_REPLY -> clientReply(clients.get((int) event.aux), (SimClient.Reply) event.payload);
            case CLIENT_TIMEOUT -> {
                SimClient client = clients.get(event.server);
                if (client.busy() && client.currentAttempt == event.aux) {
                    trace.add(now, 0, "timeout", "client " + client.clientId + " at s" + client.target, event.aux);
                    client.target = client.target % n + 1;
                    sendAttempt(client);
                }
            }
            case CLIENT_RETRY -> {
                SimClient client = clients.get(event.server);
                if (client.busy() && client.currentAttempt == event.aux) {
                    sendAttempt(client);
                }
            }
            case CLIENT_ISSUE -> {
                SimClient client = clients.get(event.server);
                if (!client.busy() && (!liveness || client.current == null || client.current.completed())) {
                    Command command = client.next(workload, clientRandom, now);
                    history.add(client.current);
                    trace.add(now, 0, "invoke", client.current, command.sequence());
                    sendAttempt(client);
                }
            }
            case NEMESIS -> {
                if (!liveness) {
                    new Nemesis(this).act();
                    schedule(1 + random.nextLong(2 * faults.nemesisEveryMs()), Event.Type.NEMESIS, 0, 0, 0, null);
                }
            }
            case RESTART -> {
                SimServer server = servers[event.server];
                if (server.node == null && !liveness) {
                    start(event.server);
                }
            }
            case RESUME -> {
                if (!liveness) {
                    resume(event.server);
                }
            }
            case FLAP -> {
                if (!liveness && event.aux > 0) {
                    int[] link = (int[]) event.payload;
                    blocked[link[0]][link[1]] = !blocked[link[0]][link[1]];
                    trace.add(now, link[0], "flap", link[0] + "->" + link[1] + (blocked[link[0]][link[1]] ? " cut" : " up"), event.aux);
                    schedule(20 + random.nextLong(300), Event.Type.FLAP, 0, 0, event.aux - 1, link);
                }
            }
            case FENCED_WRITE -> {
                SimWorkload.FencedWrite write = (SimWorkload.FencedWrite) event.payload;
                trace.add(now, 0, "fenced", workload.fencedWrite(write, now), write.token());
            }
            case SNAPSHOT_SAVED -> throw new IllegalStateException("only deferred, never scheduled");
            case LIVENESS -> startLiveness();
            case CHECK -> checkConverged();
        }
    }

    private void deliver(Event event) {
        Envelope envelope = (Envelope) event.payload;
        SimServer server = servers[envelope.to()];
        if (server.node == null) {
            return;
        }
        if (server.paused) {
            server.deferred.add(event);
            return;
        }
        trace.add(now, envelope.to(), "deliver", envelope, messageHash(envelope));
        Replica replica = server.node.replica();
        Epoch ownBefore = replica.ownEpoch();
        Epoch higher = ownBefore != null && replica.role() == Role.LEADER ? promisedIn(envelope.message()) : null;
        server.node.receive(envelope, now);
        afterStep(server);
        if (higher != null && higher.isAbove(ownBefore) && replica.role() == Role.LEADER
                && ownBefore.equals(replica.ownEpoch())) {
            throw new Violation("server " + envelope.to() + " kept leading at " + ownBefore
                    + " after a reply carrying the higher epoch " + higher);
        }
    }

    private static Epoch promisedIn(Message message) {
        return switch (message.kind()) {
            case REJECTED -> ((Rejected) message).promised();
            case FINALIZE_REPLY -> ((FinalizeReply) message).promised();
            case READ_REPLY -> ((ReadReply) message).promised();
            case QUERY_REPLY -> ((QueryReply) message).promised();
            default -> null;
        };
    }

    /** The workload's own figures for this run (for tests): see {@link SimWorkload#stats()}. */
    String workloadStats() {
        return workload.stats();
    }

    private void afterStep(SimServer server) {
        if (server.node != null && server.node.replica().role() == Role.LEADER && !server.wasLeader) {
            checker.becameLeader();
            trace.add(now, server.id, "leader", server.node.replica().ownEpoch(), 1);
        }
        server.wasLeader = server.node != null && server.node.replica().role() == Role.LEADER;
    }

    // ---- Servers ----

    final class SimServer {
        final int id;
        SimStorage disk;
        /** The server's node while it runs; null while it is down. */
        Node node;
        StateMachine machine;
        int incarnation;
        boolean paused;
        boolean wasLeader;
        final List<Event> deferred = new ArrayList<>();
        /** Snapshots the disk reported durable during the DURABLE event being handled. */
        final List<Long> snapshotsSaved = new ArrayList<>();

        SimServer(int id) {
            this.id = id;
        }
    }

    void start(int id) {
        SimServer server = servers[id];
        server.incarnation++;
        server.paused = false;
        server.deferred.clear();
        server.snapshotsSaved.clear();
        server.wasLeader = false;
        server.machine = options.machines() != null ? options.machines().get() : workload.newMachine();
        StateMachine machine = server.machine;
        int incarnation = server.incarnation;
        ReplicaLoop.Observer observer = new ReplicaLoop.Observer() {
            @Override
            public void stepped(Replica replica, Effects effects) {
                checker.stepped(replica, effects);
            }

            @Override
            public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
                boolean first = apply.slot() > checker.maxAppliedSlot();
                checker.applied(replica, apply, outcome, workload.stateHash(machine));
                if (first) {
                    workload.firstApplied(apply.slot(), apply.command(), outcome, machine);
                }
            }

            @Override
            public void restored(Replica replica, Snapshot snapshot) {
                trace.add(now, replica.selfId(), "restored", snapshot, snapshot.slot());
                if (server.node != null) {
                    snapshotInstalls++; // received from a server, not loaded at start-up
                }
                checker.restored(replica, snapshot.slot(), workload.stateHash(machine));
            }

            @Override
            public void snapshotTaken(Replica replica, long slot) {
                trace.add(now, replica.selfId(), "snapshot", "view at slot " + slot, slot);
            }
        };
        SplittableRandom coreRandom = new SplittableRandom(seed * 31 + id * 1_000_003L + incarnation);
        trace.add(now, id, "start", "incarnation " + incarnation, incarnation);
        checker.restarting(id, server.disk.durablePromised());
        // Durability reaches the loop through DURABLE events (see SimStorage), not the batch callback; a
        // saved snapshot is noted during such an event and handed over after it (or on resume).
        server.node = Node.builder(new Node.Config(config.forServer(id), EXACTLY_ONCE_WINDOW, COMMAND_BYTES_MAX,
                snapshotPolicy)).storage(server.disk, batchId -> {}, slot -> {
                    if (server.incarnation == incarnation) {
                        server.snapshotsSaved.add(slot);
                    }
                }).transport(this::send).stateMachine(machine, workload.newLeaderDuties(machine)).random(coreRandom)
                .factory(options.factory()).observer(observer).start(now);
        String recovery = server.disk.lastRecovery();
        if (recovery != null) {
            trace.add(now, id, "recovered", recovery, recovery.hashCode());
        }
        checker.restarted(server.node.replica(), server.disk.durablePromised(), server.disk.durableEntries());
        schedule(1 + random.nextLong(TICK_MS), Event.Type.TICK, id, incarnation, 0, null);
    }

    void crash(int id) {
        SimServer server = servers[id];
        if (server.node == null) {
            return;
        }
        server.node = null;
        server.paused = false;
        server.deferred.clear();
        server.wasLeader = false;
        String what = server.disk.crash();
        trace.add(now, id, "crash", what, what.hashCode());
    }

    void pause(int id, long forMs) {
        SimServer server = servers[id];
        if (server.node == null || server.paused) {
            return;
        }
        trace.add(now, id, "pause", forMs + " ms", forMs);
        server.paused = true;
        schedule(forMs, Event.Type.RESUME, id, server.incarnation, 0, null);
    }

    private void resume(int id) {
        SimServer server = servers[id];
        if (!server.paused) {
            return;
        }
        trace.add(now, id, "resume", null, 0);
        server.paused = false;
        List<Event> backlog = new ArrayList<>(server.deferred);
        server.deferred.clear();
        // After a pause, timers and queued input race: the order is up to the seed.
        boolean tickFirst = random.nextBoolean();
        if (tickFirst) {
            server.node.tick(now); // timers fire late
            afterStep(server);
        }
        for (Event event : backlog) {
            if (server.node == null || server.paused) {
                break;
            }
            if (event.type == Event.Type.DURABLE) {
                server.node.persisted(event.aux, now); // the disk finished while we slept
                afterStep(server);
            } else if (event.type == Event.Type.SNAPSHOT_SAVED) {
                server.node.snapshotSaved(event.aux, now);
                afterStep(server);
            } else {
                handle(event);
            }
        }
        if (!tickFirst && server.node != null && !server.paused) {
            server.node.tick(now);
            afterStep(server);
        }
    }

    private SimStorage.Scheduler diskScheduler(int id) {
        return new SimStorage.Scheduler() {
            @Override
            public void durableAt(long at, SimStorage disk, long token) {
                queue.add(new Event(at, order++, Event.Type.DURABLE, id, servers[id].incarnation, token, disk));
            }

            @Override
            public long now() {
                return now;
            }

            @Override
            public long latencyMs() {
                return 1 + random.nextLong(4);
            }
        };
    }

    // ---- Network ----

    private void send(Envelope envelope) {
        int from = envelope.from();
        int to = envelope.to();
        if (blocked[from][to] || networkRandom.nextDouble() < (healed ? 0 : faults.lossRate())) {
            return;
        }
        scheduleDelivery(envelope);
        if (!healed && networkRandom.nextDouble() < faults.duplicateRate()) {
            scheduleDelivery(envelope);
        }
    }

    private void scheduleDelivery(Envelope envelope) {
        // Heavy-tailed: most messages are fast, some take up to the seed's maximum. Reorders more
        // than a uniform delay of the same mean.
        long delayMax = healed ? Math.min(faults.delayMaxMs(), HEALED_DELAY_MAX_MS) : faults.delayMaxMs();
        long delay = networkRandom.nextInt(4) == 0 ? 1 + networkRandom.nextLong(delayMax) : 1 + networkRandom.nextLong(3);
        if (!healed && slowUntil[envelope.from()][envelope.to()] > now) {
            delay += networkRandom.nextLong(SLOW_LINK_EXTRA_MS);
        }
        if (!healed && envelope.message().kind() == faults.slowKind()) {
            delay += networkRandom.nextLong(faults.slowKindExtraMs());
        }
        if (!healed && networkRandom.nextDouble() < faults.delaySpikeRate()) {
            delay += networkRandom.nextLong(faults.delaySpikeMaxMs());
        }
        schedule(delay, Event.Type.DELIVER, envelope.to(), 0, 0, envelope);
    }

    void block(int from, int to, boolean cut) {
        blocked[from][to] = cut;
    }

    void slowLink(int from, int to, long forMs) {
        slowUntil[from][to] = now + forMs;
    }

    void healAllLinks() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
    }

    void flap(int from, int to, int toggles) {
        schedule(0, Event.Type.FLAP, 0, 0, toggles, new int[] {from, to});
    }

    private static long messageHash(Envelope envelope) {
        Message message = envelope.message();
        return ((envelope.from() * 31L + envelope.to()) * 31 + message.kind().ordinal()) * 31
                + message.epoch().round() * 7 + message.epoch().serverId();
    }

    // ---- Clients ----

    private void sendAttempt(SimClient client) {
        long attempt = client.newAttempt();
        schedule(1 + networkRandom.nextLong(3), Event.Type.CLIENT_REQUEST, client.target, 0, 0,
                new SimClient.Request(client.index, attempt, client.current.command, client.current.indexRead));
        schedule(CLIENT_TIMEOUT_MS, Event.Type.CLIENT_TIMEOUT, client.index, 0, attempt, null);
    }

    private void clientReply(SimClient client, SimClient.Reply reply) {
        OpRecord op = client.current;
        if (op == null || op.completed()) {
            return;
        }
        CommandAnswer answer = reply.answer();
        switch (answer.status()) {
            case APPLIED -> {
                if (reply.sequence() != op.command.sequence()) {
                    return; // an answer to an earlier command of this client, arriving late
                }
                // Any attempt of the current command may answer it: all carry the same (clientId, sequence).
                op.completedAt = now;
                op.result = answer.result();
                op.slot = answer.slot();
                commandsCompleted++;
                trace.add(now, 0, "complete", op, answer.slot());
                if (!op.indexRead) {
                    checker.acknowledged(op.command, answer.slot());
                }
                for (SimWorkload.FencedWrite write : workload.completed(client, op, clientRandom)) {
                    schedule(write.afterMs(), Event.Type.FENCED_WRITE, 0, 0, 0, write);
                }
                if (!liveness) {
                    schedule(random.nextLong(30), Event.Type.CLIENT_ISSUE, client.index, 0, 0, null);
                }
            }
            case REJECTED -> throw new Violation("client " + client.clientId + " got " + answer + " for " + op
                    + " (the workloads send only valid commands, within the exactly-once window)");
            case NOT_LEADER, NO_QUORUM, BUSY, ERROR -> {
                if (reply.attempt() != client.currentAttempt) {
                    return;
                }
                if (answer.status() == CommandAnswer.Status.NOT_LEADER || answer.status() == CommandAnswer.Status.NO_QUORUM) {
                    client.target = answer.leaderHint() != 0 ? answer.leaderHint() : client.target % n + 1;
                }
                schedule(5 + random.nextLong(30), Event.Type.CLIENT_RETRY, client.index, 0, client.currentAttempt, null);
            }
        }
    }

    // ---- Liveness ----

    private void startLiveness() {
        liveness = true;
        int[] order = shuffledIds();
        healedMajority = java.util.Arrays.copyOf(order, n / 2 + 1);
        java.util.Arrays.sort(healedMajority);
        trace.add(now, 0, "liveness", java.util.Arrays.toString(healedMajority), 0);
        healed = true;
        for (int from = 1; from <= n; from++) {
            for (int to = 1; to <= n; to++) {
                blocked[from][to] = !(contains(healedMajority, from) && contains(healedMajority, to));
            }
        }
        for (int id : healedMajority) {
            if (servers[id].node == null) {
                start(id);
            } else if (servers[id].paused) {
                resume(id);
            }
        }
        for (SimClient client : clients) {
            if (!client.busy()) {
                schedule(random.nextLong(20), Event.Type.CLIENT_ISSUE, client.index, 0, 0, null);
            }
        }
        livenessDeadline = now + 10 * ELECTION_MAX_MS;
        schedule(20, Event.Type.CHECK, 0, 0, 0, null);
    }

    private void checkConverged() {
        boolean clientsDone = clients.stream().noneMatch(SimClient::busy);
        boolean issuing = queue.stream().anyMatch(e -> e.type == Event.Type.CLIENT_ISSUE);
        long applied = -1;
        boolean same = true;
        for (int id : healedMajority) {
            SimServer server = servers[id];
            if (server.node == null || server.paused) {
                same = false;
                break;
            }
            Replica replica = server.node.replica();
            if (applied == -1) {
                applied = replica.appliedSlot();
            }
            same &= replica.appliedSlot() == applied && replica.firstUnfinalizedSlot() == applied + 1;
        }
        if (clientsDone && !issuing && same) {
            finished = true;
            return;
        }
        if (now >= livenessDeadline) {
            StringBuilder state = new StringBuilder();
            for (int id : healedMajority) {
                SimServer server = servers[id];
                state.append(server.node == null ? "s" + id + " down" : server.node.replica().toString()).append("; ");
            }
            long pending = clients.stream().filter(SimClient::busy).count();
            throw new Violation("liveness: " + 10 * ELECTION_MAX_MS + " ms after healing " + java.util.Arrays.toString(healedMajority)
                    + ", " + pending + " commands still pending; " + state);
        }
        schedule(20, Event.Type.CHECK, 0, 0, 0, null);
    }

    /** What the servers' disks went through so far, summed; for tests and reports. */
    WalDisk.Stats diskStats() {
        WalDisk.Stats sum = new WalDisk.Stats();
        for (int id = 1; id <= n; id++) {
            if (servers[id] != null) {
                sum.add(servers[id].disk.stats());
            }
        }
        return sum;
    }

    // ---- Helpers shared with the nemesis ----

    int servers() {
        return n;
    }

    Faults faults() {
        return faults;
    }

    SplittableRandom random() {
        return random;
    }

    long now() {
        return now;
    }

    Trace trace() {
        return trace;
    }

    boolean isUp(int id) {
        return servers[id].node != null;
    }

    boolean isPaused(int id) {
        return servers[id].paused;
    }

    /** The server that leads at the highest epoch, or 0. */
    int currentLeader() {
        int best = 0;
        Epoch bestEpoch = null;
        for (int id = 1; id <= n; id++) {
            SimServer server = servers[id];
            if (server.node != null && server.node.replica().role() == Role.LEADER) {
                Epoch epoch = server.node.replica().ownEpoch();
                if (bestEpoch == null || epoch.isAbove(bestEpoch)) {
                    best = id;
                    bestEpoch = epoch;
                }
            }
        }
        return best;
    }

    void scheduleRestart(int id, long afterMs) {
        schedule(afterMs, Event.Type.RESTART, id, 0, 0, null);
    }

    int[] shuffledIds() {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return ids;
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    private void schedule(long afterMs, Event.Type type, int server, int incarnation, long aux, Object payload) {
        queue.add(new Event(now + afterMs, order++, type, server, incarnation, aux, payload));
    }
}
