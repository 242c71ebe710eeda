package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.Apply;
import io.paxlog.core.ClientIds;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Membership;
import io.paxlog.core.MembershipHistory;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import io.paxlog.core.SessionLimits;
import io.paxlog.core.runtime.SessionConfig;
import io.paxlog.core.runtime.Node;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.core.runtime.ReplyChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One deterministic run of a simulated cluster. A single 64-bit seed fixes everything: cluster size,
 * faults, delays, the workload and which servers crash when. Every server is the real {@link Node}
 * (the same runtime a real server runs: request ids, answers, leader duties, snapshots, the core), by
 * default over the real write-ahead log on an in-memory disk that crashes, tears writes and recovers
 * for real ({@link WalDisk}); the network ({@link SimNetwork}), the clock and the clients
 * ({@link SimClients}) are simulated.
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
    static final int EXACTLY_ONCE_WINDOW = 16;
    static final int COMMAND_BYTES_MAX = 1 << 20;
    /** A healthy run keeps a few thousand events queued; far more means messages breed messages. */
    static final int EVENTS_QUEUED_MAX = 200_000;
    /** How much longer than the liveness deadline a healed server may take to catch up, while it does. */
    static final long CATCH_UP_GRACE_MS = 30_000;
    /** Servers beyond the seed that a reconfiguring run may add. */
    static final int SPARES = 2;
    /**
     * Sessions expire after 2 s of log time without a command (a partition of a client's leader, or a
     * long election, outlasts it), keys after 10 s; the leader proposes a clock every 200 ms.
     */
    static final SessionConfig SESSIONS = new SessionConfig(new SessionLimits(2_000, 10_000, 10_000, 100_000), 200);
    /** The wall clock's reading at simulated time 0, before each server's skew. */
    static final long WALL_EPOCH_MS = 1_700_000_000_000L;
    /**
     * Each server's wall clock is off by up to this much either way, for the whole run: well below the
     * session timeout, as a deployment must keep it (a leader whose clock runs ahead by more than the
     * timeout expires every session once it leads).
     */
    static final long WALL_SKEW_MAX_MS = 300;

    private final long seed;
    private final SimOptions options;
    private final SplittableRandom random;
    /** Split once per server for its disk's fault choices (where a crash lands, what it tears). */
    private final SplittableRandom diskRandom;
    /** Each server's wall-clock skew. */
    private final SplittableRandom clockRandom;
    /** The seed membership's size. */
    private final int n;
    /**
     * Every server id the run may use, 1..universe: the seed's and, when the run reconfigures, spares
     * that join as learners. Servers beyond the seed run only once added.
     */
    private final int universe;
    private final boolean reconfigures;
    private final Faults faults;
    private final ReplicaConfig config;
    private final ReplicaLoop.SnapshotPolicy snapshotPolicy;
    private long snapshotInstalls;
    private final PriorityQueue<Event.Scheduled> queue = new PriorityQueue<>();
    private final SimServer[] servers;
    private final SimNetwork network;
    private final SimClients clients;
    private final Checker checker;
    private final SimWorkload workload;
    private final Trace trace;
    private final Dispatch dispatch = new Dispatch();
    private long now;
    private long order;
    private boolean liveness;
    private long livenessDeadline;
    /** The lowest applied slot among the healed majority, and when it last grew (catching up). */
    private long slowestApplied = -1;
    private long slowestGrewAt;
    private int[] healedMajority;
    /** The membership version the healed servers were chosen for. */
    private long healedVersion;
    /** In a minority-only run, the servers the faults may touch; null until the first fault. */
    private int[] minority;
    private boolean finished;

    /** A run of {@code seed}; package-private for tests that look inside (disk statistics). */
    Simulation(long seed, SimOptions options) {
        this.seed = seed;
        this.options = options;
        SplittableRandom master = new SplittableRandom(seed);
        this.random = master.split();
        SplittableRandom networkRandom = master.split();
        SplittableRandom clientRandom = master.split();
        this.diskRandom = master.split();
        this.clockRandom = master.split();
        // Drawn even when the size is given, so that the replay command (which names the size) replays
        // exactly the run the seed gave when it chose the size itself.
        int drawnServers = random.nextBoolean() ? 3 : 5;
        this.n = options.servers() != 0 ? options.servers() : drawnServers;
        this.faults = Faults.draw(random);
        // Two seeds in three change the membership during faults (never the minority-only ones: their
        // availability check assumes the healthy majority stays the majority).
        boolean drawnReconfigures = random.nextInt(3) != 0;
        this.reconfigures = options.reconfigure() && drawnReconfigures && !faults.minorityOnly();
        this.universe = reconfigures ? n + SPARES : n;
        int alpha = 1 + random.nextInt(32);
        List<Integer> members = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            members.add(id);
        }
        this.config = ReplicaConfig.defaults(1, members)
                .withTimeouts(ELECTION_MIN_MS, ELECTION_MAX_MS, HEARTBEAT_MS)
                .withLimits(8 + random.nextInt(120), 1 + random.nextInt(32), 64 + random.nextInt(2048),
                        8 + random.nextInt(120), 16 + random.nextInt(240), 64)
                // Small chunks, so a transfer takes many round trips and faults land inside it.
                .withSnapshotChunkBytes(1024 << random.nextInt(4))
                // A small alpha, so changes govern soon and windows of memberships meet every fault.
                .withReconfig(new ReplicaConfig.Reconfig(alpha, 8 + random.nextInt(64)));
        // One seed in four never snapshots; the others compact every few dozen to few hundred slots.
        this.snapshotPolicy = random.nextInt(4) == 0 ? ReplicaLoop.SnapshotPolicy.ON_DEMAND
                : new ReplicaLoop.SnapshotPolicy(10L << random.nextInt(6));
        this.servers = new SimServer[universe + 1];
        this.network = new SimNetwork(universe, faults, networkRandom, (delay, envelope) -> schedule(delay,
                new Event.Deliver(envelope)), this::cleanLink);
        this.trace = new Trace(options.traceLines());
        this.checker = new Checker(config.seedMembership());
        this.workload = SimWorkload.of(options.workload());
        this.clients = new SimClients(this, workload, checker, random, clientRandom, universe);
    }

    /** Runs one seed to the end (or to the first violation) and reports. */
    public static SeedResult run(long seed, SimOptions options) {
        return new Simulation(seed, options).run();
    }

    /** Runs this seed to the end (or to the first violation) and reports; call once. */
    SeedResult run() {
        String violation = null;
        try {
            for (int id = 1; id <= universe; id++) {
                servers[id] = new SimServer(id, clockRandom.nextLong(-WALL_SKEW_MAX_MS, WALL_SKEW_MAX_MS + 1));
                servers[id].disk = options.disk() == SimOptions.DiskModel.WAL
                        ? new WalDisk(id, diskScheduler(id), checker, diskRandom.split())
                        : new SimDisk(id, diskScheduler(id), checker);
                if (id <= n) {
                    start(id);
                }
            }
            if (reconfigures) {
                schedule(500 + random.nextLong(2_000), new Event.Reconfigure());
            }
            clients.start(2 + random.nextInt(11));
            schedule(faults.nemesisEveryMs(), new Event.NemesisActs());
            schedule(options.safetyMs(), new Event.StartLiveness());
            while (!finished) {
                Event.Scheduled next = queue.poll();
                if (next == null) {
                    throw new Violation("simulation ran out of events");
                }
                now = next.time();
                next.event().accept(dispatch);
                if (queue.size() > EVENTS_QUEUED_MAX) {
                    throw new Violation("message storm: " + queue.size() + " events queued");
                }
            }
            clients.checkLabels(checker.chosen(), checker::tookEffect);
            Linearizability.check(checker.chosen(), checker.maxAppliedSlot(), clients.history(), workload.newModel(),
                    workload, checker::tookEffect);
        } catch (Violation e) {
            violation = e.getMessage();
        } catch (AssertionError | RuntimeException e) {
            violation = "server code failed: " + e;
        }
        return new SeedResult(seed, n, faults.toString(), now, trace.events(), trace.hash(), clients.commandsCompleted(),
                checker.leaderElections(), snapshotInstalls, violation, trace.lastLines(), options.asFlags());
    }

    // ---- Event dispatch ----

    /** Every kind of event, handled; a paused server's input waits in its backlog until it resumes. */
    private final class Dispatch implements Event.Handler {

        @Override
        public void deliver(Event.Deliver event) {
            Envelope envelope = event.envelope();
            SimServer server = servers[envelope.to()];
            if (server.node == null) {
                return;
            }
            if (server.paused) {
                server.deferred.add(() -> deliver(event));
                return;
            }
            trace.add(now, envelope.to(), "deliver", envelope, SimNetwork.messageHash(envelope));
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

        @Override
        public void tick(Event.Tick event) {
            SimServer server = servers[event.server()];
            if (server.incarnation != event.incarnation() || server.node == null) {
                return;
            }
            schedule(TICK_MS, event);
            if (!server.paused) {
                trace.add(now, event.server(), "tick", null, 0);
                server.node.tick(now, server.wallMillis());
                afterStep(server);
            }
        }

        @Override
        public void diskDone(Event.DiskDone event) {
            SimServer server = servers[event.server()];
            long batchId = event.disk().complete(event.token());
            List<Long> saved = new ArrayList<>(server.snapshotsSaved);
            server.snapshotsSaved.clear();
            if (server.incarnation != event.incarnation() || server.node == null) {
                return;
            }
            for (long slot : saved) {
                trace.add(now, event.server(), "snapshot saved", "slot " + slot, slot);
                if (server.paused) {
                    server.deferred.add(() -> server.node.snapshotSaved(slot, now));
                } else {
                    server.node.snapshotSaved(slot, now);
                    afterStep(server);
                }
            }
            if (batchId == 0 || server.node == null) {
                return;
            }
            trace.add(now, event.server(), "durable", "batch " + batchId, batchId);
            if (server.paused) {
                // The disk finished while the process sleeps; the node hears of it on resume.
                server.deferred.add(() -> server.node.persisted(batchId, now));
            } else {
                server.node.persisted(batchId, now);
                afterStep(server);
            }
        }

        @Override
        public void clientRequest(Event.ClientRequest event) {
            SimServer server = servers[event.server()];
            SimClient.Request request = event.request();
            if (server.node == null) {
                // The server went down with the call on its way: the connection breaks.
                schedule(network.clientHopMs(), new Event.ClientLost(request.client(), request.attempt(), event.server()));
                return;
            }
            if (server.paused) {
                server.deferred.add(() -> clientRequest(event));
                return;
            }
            Command command = request.command();
            // The answer travels back over the network, as the request came.
            int at = event.server();
            ReplyChannel reply = answer -> {
                trace.add(now, at, "answer", "attempt " + request.attempt() + " of c" + command.clientId() + ": " + answer,
                        answer.slot());
                schedule(network.clientHopMs(), new Event.ClientReply(request.client(),
                        new SimClient.Reply(request.attempt(), answer)));
            };
            trace.add(now, event.server(), request.kind().name().toLowerCase(java.util.Locale.ROOT), command,
                    request.attempt());
            switch (request.kind()) {
                case READ -> server.node.read(command.payload(), reply, now);
                case COMMAND -> server.node.command(command.clientId(), command.sequence(), command.payload(), reply, now);
                case REGISTER -> server.node.register(reply, now);
                case KEEP_ALIVE -> server.node.keepAlive(command.clientId(), reply, now);
            }
            afterStep(server);
        }

        @Override
        public void clientReply(Event.ClientReply event) {
            clients.reply(event);
        }

        @Override
        public void clientConnect(Event.ClientConnect event) {
            clients.connect(event);
        }

        @Override
        public void clientLost(Event.ClientLost event) {
            clients.lost(event);
        }

        @Override
        public void clientTimer(Event.ClientTimer event) {
            clients.timer(event);
        }

        @Override
        public void clientIssue(Event.ClientIssue event) {
            clients.issue(event);
        }

        @Override
        public void nemesis(Event.NemesisActs event) {
            if (!liveness && faults.minorityOnly()) {
                if (minority == null) {
                    minority = MinorityNemesis.chooseMinority(Simulation.this, random);
                    trace.add(now, 0, "minority", Arrays.toString(minority), Arrays.hashCode(minority));
                }
                new MinorityNemesis(Simulation.this).act(minority);
                schedule(1 + random.nextLong(2 * faults.nemesisEveryMs()), event);
            } else if (!liveness) {
                new Nemesis(Simulation.this).act();
                schedule(1 + random.nextLong(2 * faults.nemesisEveryMs()), event);
            }
        }

        @Override
        public void restart(Event.Restart event) {
            if (servers[event.server()].node == null && !liveness) {
                start(event.server());
            }
        }

        @Override
        public void resume(Event.Resume event) {
            if (!liveness) {
                Simulation.this.resume(event.server());
            }
        }

        @Override
        public void flap(Event.Flap event) {
            if (!liveness && event.togglesLeft() > 0) {
                boolean cut = network.toggle(event.from(), event.to());
                trace.add(now, event.from(), "flap", event.from() + "->" + event.to() + (cut ? " cut" : " up"),
                        event.togglesLeft());
                schedule(20 + random.nextLong(300), new Event.Flap(event.from(), event.to(), event.togglesLeft() - 1));
            }
        }

        @Override
        public void fencedWrite(Event.FencedWrite event) {
            trace.add(now, 0, "fenced", workload.fencedWrite(event.write(), now), event.write().token());
        }

        @Override
        public void liveness(Event.StartLiveness event) {
            startLiveness();
        }

        @Override
        public void check(Event.CheckConverged event) {
            checkConverged();
        }

        @Override
        public void reconfigure(Event.Reconfigure event) {
            if (!liveness) {
                new Reconfigurer(Simulation.this).act();
                schedule(300 + random.nextLong(2_500), event);
            }
        }
    }

    /** The higher promise a reply may carry; null for kinds that carry none a leader must yield to. */
    private static Epoch promisedIn(Message message) {
        return switch (message.kind()) {
            case REJECTED -> ((Rejected) message).promised();
            case FINALIZE_REPLY -> ((FinalizeReply) message).promised();
            case READ_REPLY -> ((ReadReply) message).promised();
            case QUERY_REPLY -> ((QueryReply) message).promised();
            case PRE_OVERTHROW_REPLY -> ((PreOverthrowReply) message).promised();
            case OVERTHROW, OVERTHROW_OK, STORE, STORE_OK, FINALIZE, READ, QUERY, SNAPSHOT_REQUEST, SNAPSHOT_CHUNK,
                    PRE_OVERTHROW -> null;
        };
    }

    /**
     * Whether the link {@code from -> to} is outside every fault: in a minority-only run, a link between
     * two servers outside the minority (all links, before the minority is chosen).
     */
    private boolean cleanLink(int from, int to) {
        return faults.minorityOnly() && (minority == null || !contains(minority, from) && !contains(minority, to));
    }

    /** The workload's own figures for this run (for tests): see {@link SimWorkload#stats()}. */
    String workloadStats() {
        return workload.stats();
    }

    private void afterStep(SimServer server) {
        boolean leading = server.node != null && server.node.replica().role() == Role.LEADER;
        if (leading && !server.wasLeader) {
            checker.becameLeader();
            trace.add(now, server.id, "leader", server.node.replica().ownEpoch(), 1);
        }
        if (!leading && server.wasLeader && server.node != null) {
            trace.add(now, server.id, "passive", server.node.replica().promised(), 2);
        }
        server.wasLeader = leading;
    }

    // ---- Servers ----

    /** One simulated server process: its disk survives crashes, everything else is its node's. */
    final class SimServer {
        final int id;
        SimStorage disk;
        /** The server's node while it runs; null while it is down. */
        Node node;
        StateMachine machine;
        int incarnation;
        boolean paused;
        boolean wasLeader;
        /** What reached the server while it was paused, in arrival order; handled on resume. */
        final List<Runnable> deferred = new ArrayList<>();
        /** Snapshots the disk reported durable during the disk event being handled. */
        final List<Long> snapshotsSaved = new ArrayList<>();
        /** How far this server's wall clock is off. */
        final long wallSkewMs;

        SimServer(int id, long wallSkewMs) {
            this.id = id;
            this.wallSkewMs = wallSkewMs;
        }

        /** What this server's wall clock reads now. */
        long wallMillis() {
            return WALL_EPOCH_MS + now + wallSkewMs;
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
        int incarnation = server.incarnation;
        SplittableRandom coreRandom = new SplittableRandom(seed * 31 + id * 1_000_003L + incarnation);
        trace.add(now, id, "start", "incarnation " + incarnation, incarnation);
        checker.restarting(id, server.disk.durablePromised());
        // Durability reaches the node through disk events (see SimStorage), not the batch callback; a
        // saved snapshot is noted during such an event and handed over after it (or on resume).
        server.node = Node.builder(new Node.Config(config.forServer(id), EXACTLY_ONCE_WINDOW, COMMAND_BYTES_MAX,
                snapshotPolicy, SESSIONS)).storage(server.disk, batchId -> { }, slot -> {
                    if (server.incarnation == incarnation) {
                        server.snapshotsSaved.add(slot);
                    }
                }).transport(envelope -> network.send(envelope, now))
                .stateMachine(server.machine, workload.newLeaderDuties(server.machine)).random(coreRandom)
                .factory(options.factory()).observer(observer(server)).start(now);
        String recovery = server.disk.lastRecovery();
        if (recovery != null) {
            trace.add(now, id, "recovered", recovery, recovery.hashCode());
        }
        checker.restarted(server.node.replica(), server.disk.durablePromised(), server.disk.durableEntries());
        schedule(1 + random.nextLong(TICK_MS), new Event.Tick(id, incarnation));
    }

    /** The checks that watch every step of {@code server}'s node. */
    private ReplicaLoop.Observer observer(SimServer server) {
        StateMachine machine = server.machine;
        return new ReplicaLoop.Observer() {
            @Override
            public void stepped(Replica replica, Effects effects) {
                checker.stepped(replica, effects);
            }

            @Override
            public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
                boolean first = apply.slot() > checker.maxAppliedSlot();
                checker.applied(replica, apply, outcome, workload.stateHash(machine));
                // The session layer's own commands (register, keep-alive, clock) never reach the machine.
                if (first && !ClientIds.isSessionLayer(apply.command().clientId())) {
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

            // The Checker sees every input the core sees, where the node hands it over.

            @Override
            public void receiving(Replica replica, Envelope envelope) {
                checker.delivered(envelope);
            }

            @Override
            public void durable(Replica replica, long batchId) {
                checker.persisted(replica.selfId(), batchId);
            }

            @Override
            public void reading(Replica replica, long requestId) {
                checker.readArrived(replica, requestId);
            }
        };
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
        clients.serverCrashed(id);
    }

    void pause(int id, long forMs) {
        SimServer server = servers[id];
        if (server.node == null || server.paused) {
            return;
        }
        trace.add(now, id, "pause", forMs + " ms", forMs);
        server.paused = true;
        schedule(forMs, new Event.Resume(id));
    }

    private void resume(int id) {
        SimServer server = servers[id];
        if (!server.paused) {
            return;
        }
        trace.add(now, id, "resume", null, 0);
        server.paused = false;
        List<Runnable> backlog = new ArrayList<>(server.deferred);
        server.deferred.clear();
        // After a pause, timers and queued input race: the order is up to the seed.
        boolean tickFirst = random.nextBoolean();
        if (tickFirst) {
            server.node.tick(now, server.wallMillis()); // timers fire late
            afterStep(server);
        }
        for (Runnable input : backlog) {
            if (server.node == null || server.paused) {
                break;
            }
            input.run();
            afterStep(server);
        }
        if (!tickFirst && server.node != null && !server.paused) {
            server.node.tick(now, server.wallMillis());
            afterStep(server);
        }
    }

    private SimStorage.Scheduler diskScheduler(int id) {
        return new SimStorage.Scheduler() {
            @Override
            public void durableAt(long at, SimStorage disk, long token) {
                queue.add(new Event.Scheduled(at, order++, new Event.DiskDone(id, servers[id].incarnation, disk, token)));
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

    // ---- Liveness ----

    private void startLiveness() {
        liveness = true;
        network.heal();
        heal();
        clients.issueAgain();
        schedule(20, new Event.CheckConverged());
    }

    /**
     * Heals the servers the memberships need and cuts off the rest; again whenever a change proposed
     * before the liveness phase is chosen during it (a promotion can make the healed servers no
     * majority any more), keeping those healed already. The deadline counts from the last healing.
     */
    private void heal() {
        int[] chosen = HealedServers.choose(this, checker.memberships(), random);
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        for (int id : chosen) {
            all.add(id);
        }
        if (healedMajority != null) {
            for (int id : healedMajority) {
                all.add(id);
            }
        }
        healedMajority = all.stream().mapToInt(Integer::intValue).toArray();
        healedVersion = checker.memberships().latest().version();
        trace.add(now, 0, "liveness", Arrays.toString(healedMajority), healedVersion);
        for (int from = 1; from <= universe; from++) {
            for (int to = 1; to <= universe; to++) {
                network.block(from, to, !(contains(healedMajority, from) && contains(healedMajority, to)));
            }
        }
        livenessDeadline = now + 10 * ELECTION_MAX_MS;
        slowestGrewAt = now;
    }

    /** Starts a healed server that is down, resumes one that is paused: the liveness phase needs it running. */
    void ensureRunning(int id) {
        if (servers[id].node == null) {
            start(id);
        } else if (servers[id].paused) {
            resume(id);
        }
    }

    private void checkConverged() {
        if (checker.memberships().latest().version() != healedVersion) {
            heal();
        }
        boolean clientsDone = clients.allAppliedSinceHealing();
        boolean issuing = queue.stream().anyMatch(e -> e.event() instanceof Event.ClientIssue);
        long applied = -1;
        long slowest = Long.MAX_VALUE;
        long progress = 0;
        boolean same = true;
        for (int id : healedMajority) {
            SimServer server = servers[id];
            if (!checker.memberships().latest().contains(id)) {
                continue; // healed for an older membership's majority; removed since, it gets no more slots
            }
            if (server.node == null || server.paused) {
                same = false;
                break;
            }
            Replica replica = server.node.replica();
            if (applied == -1) {
                applied = replica.appliedSlot();
            }
            slowest = Math.min(slowest, replica.appliedSlot());
            progress += replica.appliedSlot() + replica.firstUnfinalizedSlot();
            same &= replica.appliedSlot() == applied && replica.firstUnfinalizedSlot() == applied + 1;
        }
        if (clientsDone && !issuing && same) {
            finished = true;
            return;
        }
        if (slowest != Long.MAX_VALUE && progress > slowestApplied) {
            slowestApplied = progress;
            slowestGrewAt = now;
        }
        // A server that was down for most of the run may have thousands of slots to catch up by small
        // chunks (some seeds never snapshot), as a follower or, having won the election, as a leader
        // whose takeover reads them in bounded chunks before it serves clients: that may take longer than
        // the deadline, as long as the healed servers keep learning slots; they must never stall for an
        // election timeout.
        boolean catchingUp = now - slowestGrewAt < ELECTION_MAX_MS && now < livenessDeadline + CATCH_UP_GRACE_MS;
        if (now >= livenessDeadline && !catchingUp) {
            StringBuilder state = new StringBuilder();
            for (int id : healedMajority) {
                SimServer server = servers[id];
                state.append(server.node == null ? "s" + id + " down" : server.node.replica().toString()).append("; ");
            }
            throw new Violation("liveness: " + 10 * ELECTION_MAX_MS + " ms after healing "
                    + Arrays.toString(healedMajority) + " (" + checker.memberships() + "), " + clients.busyCount() + " commands still pending, not every client"
                    + " had one applied; " + state);
        }
        schedule(20, new Event.CheckConverged());
    }

    /** What the servers' disks went through so far, summed; for tests and reports. */
    WalDisk.Stats diskStats() {
        WalDisk.Stats sum = new WalDisk.Stats();
        for (int id = 1; id <= universe; id++) {
            if (servers[id] != null) {
                sum.add(servers[id].disk.stats());
            }
        }
        return sum;
    }

    // ---- Shared with the nemesis and the clients ----

    /** Every server id the run may use (1..this): the seed's, and the spares it may add. */
    int servers() {
        return universe;
    }

    /** A server's node while it runs, else null; for the {@link Reconfigurer}. */
    Node node(int id) {
        return servers[id].node;
    }

    /** Starts a server that never ran (a spare joining as a learner): its disk is empty. */
    void startIfNeverRan(int id) {
        if (servers[id].incarnation == 0) {
            start(id);
        }
    }

    Checker checker() {
        return checker;
    }

    Faults faults() {
        return faults;
    }

    SimOptions options() {
        return options;
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

    SimNetwork network() {
        return network;
    }

    boolean inLiveness() {
        return liveness;
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
        for (int id = 1; id <= universe; id++) {
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
        schedule(afterMs, new Event.Restart(id));
    }

    void block(int from, int to, boolean cut) {
        network.block(from, to, cut);
    }

    void slowLink(int from, int to, long forMs) {
        network.slowLink(from, to, now + forMs);
    }

    void healAllLinks() {
        network.healAllLinks();
    }

    void flap(int from, int to, int toggles) {
        schedule(0, new Event.Flap(from, to, toggles));
    }

    int[] shuffledIds() {
        int[] ids = new int[universe];
        for (int i = 0; i < universe; i++) {
            ids[i] = i + 1;
        }
        for (int i = universe - 1; i > 0; i--) {
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

    /** Schedules {@code event} {@code afterMs} from now. */
    void schedule(long afterMs, Event event) {
        queue.add(new Event.Scheduled(now + afterMs, order++, event));
    }
}
