package io.paxlog.sim.scenario;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.Apply;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.Entry;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.core.Role;
import io.paxlog.sim.Checker;
import io.paxlog.sim.Violation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * A scripted cluster for scenario tests: servers {@code 1..n}, each a real {@link Replica} driven
 * through its public API, with everything around it under the script's control.
 *
 * <ul>
 *   <li><b>Clock.</b> Time moves only by {@link #advance}; a server's timers fire only when the script
 *       {@link #tick}s that server, but a delivery tells the server the time (so it judges how long
 *       ago it heard a leader when a pre-vote arrives). Every election timeout is exactly {@link #ELECTION_MIN_MS} (the
 *       injected generator always draws the minimum), so who tries to lead is decided by who is ticked.
 *   <li><b>Network.</b> Every message a server sends waits in flight until the script delivers, drops
 *       or duplicates it ({@link #deliver}, {@link #deliverOne}, {@link #drop}, {@link #duplicate}).
 *       {@link #deliverAll} delivers in send order until nothing is left. The links of an
 *       {@link #isolate}d server lose what is sent over them, and what was in flight when delivery
 *       is tried, until {@link #heal}.
 *   <li><b>Disks.</b> Each server writes to a {@link ScenarioDisk}. By default a write is durable
 *       right after the step that issued it; after {@link #holdWrites} it stays pending until
 *       {@link #persist}. A {@link #crash} forgets pending writes; {@link #restart} rebuilds the
 *       replica from the durable image.
 * </ul>
 *
 * <p>After every step it checks what must always hold (docs/protocol.md#invariants): agreement and stability of
 * finalized slots across servers and restarts, {@code promised} never decreasing, applies in slot
 * order matching the chosen commands. Rule D (a reply that promises durable state is backed by what
 * the server was told is durable when it leaves) and that a leader reads only from servers that
 * acknowledged its overthrow are checked by the simulator's own {@link Checker}, fed here as a
 * simulation feeds it, so that scripts and random seeds check those rules alike. A violation throws
 * {@link AssertionError}; {@link #report} tells the story.
 */
final class ScenarioCluster {

    static final long ELECTION_MIN_MS = 1000;
    static final long ELECTION_MAX_MS = 2000;
    static final long HEARTBEAT_MS = 100;
    /** A script that delivers more than this in one call has a message storm, not a scenario. */
    static final int DELIVERIES_MAX = 10_000;

    /** Draws the lowest value of every range: election timeouts are always the minimum. */
    private static final RandomGenerator LOWEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long origin, long bound) {
            return origin;
        }
    };

    private final Map<Integer, Server> servers = new LinkedHashMap<>();
    private final List<Envelope> inFlight = new ArrayList<>();
    private final Set<String> cutLinks = new HashSet<>();
    private final List<Envelope> sent = new ArrayList<>();
    private final List<Envelope> delivered = new ArrayList<>();
    /** The simulator's checks of what servers send (Rule D, read targets); see the class comment. */
    private final Checker checker;
    /** slot -> the one command any server ever finalized there (in memory or on disk). Grows only. */
    private final Map<Long, Command> chosen = new HashMap<>();
    private final Map<Long, Apply> answers = new HashMap<>();
    /** What each snapshot taken in this scenario stands for, by its bytes. */
    private final Map<String, List<Apply>> snapshots = new HashMap<>();
    private final List<Integer> installs = new ArrayList<>();
    private final Map<Long, Refusal> refusals = new HashMap<>();
    private final List<String> trace = new ArrayList<>();
    private final ReplicaFactory factory;
    private long now;
    private long nextRequestId = 1;

    private final class Server {
        final int id;
        final ReplicaConfig config;
        final ScenarioDisk disk;
        Replica replica;
        int incarnation;
        /** What this incarnation applied, in order. */
        final List<Apply> applied = new ArrayList<>();
        Epoch promisedSeen = Epoch.ZERO;

        Server(int id, ReplicaConfig config) {
            this.id = id;
            this.config = config;
            this.disk = new ScenarioDisk(id);
        }
    }

    ScenarioCluster(int n) {
        this(n, UnaryOperator.identity());
    }

    /** A cluster of servers {@code 1..n}; {@code tune} adjusts the default config (limits, say). */
    ScenarioCluster(int n, UnaryOperator<ReplicaConfig> tune) {
        this(n, tune, ReplicaFactory.DEFAULT);
    }

    /** As above, every server built by {@code factory} (a deliberately broken rule, say). */
    ScenarioCluster(int n, UnaryOperator<ReplicaConfig> tune, ReplicaFactory factory) {
        this.factory = factory;
        List<Integer> members = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            members.add(id);
        }
        checker = new Checker(n);
        ReplicaConfig base = tune.apply(ReplicaConfig.defaults(1, members)
                .withTimeouts(ELECTION_MIN_MS, ELECTION_MAX_MS, HEARTBEAT_MS));
        for (int id : members) {
            servers.put(id, new Server(id, base.forServer(id)));
        }
        for (int id : members) {
            start(servers.get(id));
        }
    }

    // ---- Commands and epochs, named for scripts ----

    /** A client command; its payload spells its name so traces stay readable. */
    static Command command(long clientId, long sequence) {
        return new Command(clientId, sequence, ("c" + clientId + "#" + sequence).getBytes(StandardCharsets.UTF_8));
    }

    static Epoch epoch(long round, int serverId) {
        return new Epoch(round, serverId);
    }

    // ---- Clock ----

    long now() {
        return now;
    }

    void advance(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("time only moves forward");
        }
        now += ms;
        note("clock", "+" + ms + " ms");
    }

    /** Fires the timers of these servers at the current time. */
    void tick(int... ids) {
        for (int id : ids) {
            Server server = up(id);
            note("s" + id, "tick");
            handle(server, server.replica.tick(now));
        }
    }

    /** The leader's heartbeat round: one interval passes, the leader ticks, everything is delivered. */
    void heartbeat(int leaderId) {
        note("====", "heartbeat of s" + leaderId);
        advance(HEARTBEAT_MS);
        tick(leaderId);
        deliverAll();
    }

    /**
     * Fires the timers of these servers, which must be past their election timeouts, and plays out
     * only their pre-votes (every pre-vote message in flight is delivered, nothing else): each one that
     * a majority would let in raises its epoch, and its {@code overthrow} is left in flight for the
     * script to deliver. Fails if one of them is not a candidate afterwards.
     */
    void campaign(int... ids) {
        tick(ids);
        deliver(Match.kind(MessageKind.PRE_OVERTHROW, MessageKind.PRE_OVERTHROW_REPLY));
        for (int id : ids) {
            if (role(id) != Role.CANDIDATE) {
                throw new AssertionError("server " + id + " did not win its pre-vote: " + up(id).replica);
            }
        }
    }

    /**
     * Makes {@code id} the leader: the clock passes its election timeout, only it is ticked, and every
     * message is delivered (links that are cut stay cut). Fails if it does not end up leading.
     */
    void electLeader(int id) {
        note("====", "elect s" + id);
        advance(ELECTION_MAX_MS);
        tick(id);
        deliverAll();
        if (role(id) != Role.LEADER) {
            throw new AssertionError("server " + id + " did not become leader: " + up(id).replica);
        }
    }

    // ---- Network ----

    /** Puts a message of the script's own making in flight, as if {@code from} had sent it. */
    void inject(Envelope envelope) {
        note("net", "inject   " + envelope);
        inFlight.add(envelope);
    }

    /** Messages in flight that match, in send order. */
    List<Envelope> inFlight(Predicate<Envelope> which) {
        return inFlight.stream().filter(which).collect(Collectors.toList());
    }

    /** Every message that ever left a server (not counting those lost on a cut link), in order. */
    List<Envelope> sent(Predicate<Envelope> which) {
        return sent.stream().filter(which).collect(Collectors.toList());
    }

    /** Every message that reached a running server, in order. */
    List<Envelope> delivered(Predicate<Envelope> which) {
        return delivered.stream().filter(which).collect(Collectors.toList());
    }

    /** Delivers the first message in flight that matches; fails if there is none. */
    Envelope deliverOne(Predicate<Envelope> which) {
        for (Envelope envelope : inFlight) {
            if (which.test(envelope)) {
                deliver(envelope);
                return envelope;
            }
        }
        throw new AssertionError("no message in flight matches; in flight: " + inFlight);
    }

    /** Delivers matching messages, in send order, including those sent meanwhile, until none is left. */
    int deliver(Predicate<Envelope> which) {
        int count = 0;
        while (true) {
            Envelope next = inFlight.stream().filter(which).findFirst().orElse(null);
            if (next == null) {
                return count;
            }
            if (++count > DELIVERIES_MAX) {
                throw new AssertionError("message storm: more than " + DELIVERIES_MAX + " deliveries");
            }
            deliver(next);
        }
    }

    int deliverAll() {
        return deliver(Match.any());
    }

    /** Delivers everything bound for {@code id} of these kinds (all kinds if none given). */
    int deliverTo(int id, MessageKind... kinds) {
        return deliver(kinds.length == 0 ? Match.to(id) : Match.to(id).and(Match.kind(kinds)));
    }

    /** Loses the matching messages in flight. Returns how many. */
    int drop(Predicate<Envelope> which) {
        int count = 0;
        for (Iterator<Envelope> it = inFlight.iterator(); it.hasNext(); ) {
            Envelope envelope = it.next();
            if (which.test(envelope)) {
                it.remove();
                note("net", "drop     " + envelope);
                count++;
            }
        }
        return count;
    }

    /** Puts a second copy of each matching message in flight, at the end. */
    void duplicate(Predicate<Envelope> which) {
        for (Envelope envelope : inFlight(which)) {
            inFlight.add(envelope);
            note("net", "dup      " + envelope);
        }
    }

    /** Cuts every link of {@code id}. */
    void isolate(int id) {
        for (int other : servers.keySet()) {
            if (other != id) {
                cutLinks.add(id + ">" + other);
                cutLinks.add(other + ">" + id);
            }
        }
        note("net", "isolate s" + id);
    }

    /** Cuts every link into {@code id}: it still sends, and others hear it, but it hears nobody. */
    void deafen(int id) {
        for (int other : servers.keySet()) {
            if (other != id) {
                cutLinks.add(other + ">" + id);
            }
        }
        note("net", "deafen s" + id);
    }

    /** Cuts every link, both ways, between {@code side} and the other servers. */
    void partition(int... side) {
        Set<Integer> inside = new HashSet<>();
        for (int id : side) {
            inside.add(id);
        }
        for (int a : servers.keySet()) {
            for (int b : servers.keySet()) {
                if (inside.contains(a) != inside.contains(b)) {
                    cutLinks.add(a + ">" + b);
                }
            }
        }
        note("net", "partition " + inside + " from the rest");
    }

    /** Every running server, in id order. */
    int[] running() {
        return servers.values().stream().filter(s -> s.replica != null).mapToInt(s -> s.id).toArray();
    }

    void heal() {
        cutLinks.clear();
        note("net", "heal all links");
    }

    private boolean isCut(Envelope envelope) {
        return cutLinks.contains(envelope.from() + ">" + envelope.to());
    }

    private void deliver(Envelope envelope) {
        inFlight.remove(envelope); // the first equal one: the one found first in send order
        Server target = servers.get(envelope.to());
        if (isCut(envelope)) {
            note("net", "lost     " + envelope + "  (link cut)");
            return;
        }
        if (target.replica == null) {
            note("net", "lost     " + envelope + "  (s" + envelope.to() + " down)");
            return;
        }
        note("net", "deliver  " + envelope);
        delivered.add(envelope);
        checker.delivered(envelope);
        handle(target, target.replica.receive(envelope, now)); // its clock moves, its timers wait for a tick
    }

    // ---- Disks ----

    /** From now on, writes of these servers stay pending until {@link #persist}. */
    void holdWrites(int... ids) {
        for (int id : ids) {
            servers.get(id).disk.automatic = false;
            note("s" + id, "disk holds writes");
        }
    }

    /** From now on, writes of these servers are durable right away; what is pending becomes durable now. */
    void autoWrites(int... ids) {
        for (int id : ids) {
            Server server = servers.get(id);
            server.disk.automatic = true;
            note("s" + id, "disk writes through");
            if (server.replica != null) {
                persist(id);
            }
        }
    }

    List<PersistBatch> pendingWrites(int id) {
        return servers.get(id).disk.pending();
    }

    /** Makes every pending write of {@code id} durable and tells its replica. */
    void persist(int id) {
        List<PersistBatch> pending = servers.get(id).disk.pending();
        if (!pending.isEmpty()) {
            persist(id, pending.get(pending.size() - 1).id());
        }
    }

    /** Makes the pending writes of {@code id} up to {@code batchId} durable and tells its replica. */
    void persist(int id, long batchId) {
        Server server = up(id);
        long last = server.disk.makeDurable(batchId);
        if (last == 0) {
            throw new AssertionError("server " + id + " has no pending write up to batch " + batchId);
        }
        note("s" + id, "durable  up to #" + last);
        checkDisk(server);
        checker.persisted(id, last);
        handle(server, server.replica.persisted(last));
    }

    /** The durable state of a slot on {@code id}'s disk, or null. */
    SlotState durableEntry(int id, long slot) {
        return servers.get(id).disk.entry(slot);
    }

    Epoch durablePromised(int id) {
        return servers.get(id).disk.promised();
    }

    // ---- Crashes ----

    /** Stops {@code id} at once: its pending writes are lost, messages to it will be lost. */
    void crash(int id) {
        Server server = up(id);
        List<PersistBatch> lost = server.disk.crash();
        server.replica = null;
        note("s" + id, "CRASH    lost writes " + lost.stream().map(b -> "#" + b.id()).collect(Collectors.toList()));
    }

    void crashAll() {
        for (Server server : servers.values()) {
            if (server.replica != null) {
                crash(server.id);
            }
        }
    }

    /** Starts {@code id} again from what its disk kept. */
    void restart(int id) {
        Server server = servers.get(id);
        if (server.replica != null) {
            throw new IllegalStateException("server " + id + " is running; crash it first");
        }
        start(server);
    }

    void restartAll() {
        for (Server server : servers.values()) {
            if (server.replica == null) {
                start(server);
            }
        }
    }

    private void start(Server server) {
        Epoch durablePromised = server.disk.promised();
        checker.restarting(server.id, durablePromised);
        server.replica = factory.create(server.config, server.disk.recover(), LOWEST, now);
        server.incarnation++;
        server.applied.clear();
        server.promisedSeen = server.replica.promised();
        if (server.replica.promised().isBelow(durablePromised)) {
            throw new AssertionError("server " + server.id + " restarted with promised " + server.replica.promised()
                    + " below its durable " + durablePromised);
        }
        note("s" + server.id, (server.incarnation == 1 ? "start    " : "RESTART  ") + "promised="
                + durablePromised + " entries=" + server.disk.entries());
        checked(() -> checker.restarted(server.replica, durablePromised, server.disk.entries()));
        handle(server, server.replica.start());
    }

    // ---- Clients ----

    /** A client sends {@code command} to server {@code id}. Returns the request id. */
    long submit(int id, Command command) {
        Server server = up(id);
        long requestId = nextRequestId++;
        note("s" + id, "submit   request " + requestId + " " + command);
        handle(server, server.replica.submit(new ClientRequest(requestId, command)));
        return requestId;
    }

    /** The apply that answered this request, if it was answered. */
    Optional<Apply> answer(long requestId) {
        return Optional.ofNullable(answers.get(requestId));
    }

    /** The refusal this request got, if any. */
    Optional<Refusal> refusal(long requestId) {
        return Optional.ofNullable(refusals.get(requestId));
    }

    // ---- Views ----

    Replica replica(int id) {
        return up(id).replica;
    }

    Role role(int id) {
        return up(id).replica.role();
    }

    /** What {@code id} holds in memory for a slot, or null. */
    Entry entry(int id, long slot) {
        return up(id).replica.entry(slot);
    }

    /** The commands this incarnation of {@code id} applied, in slot order. */
    List<Command> applied(int id) {
        return servers.get(id).applied.stream().map(Apply::command).collect(Collectors.toList());
    }

    /**
     * The commands finalized on {@code id} from slot 1 on, up to its first unfinalized slot; for
     * compacted slots, the command chosen there.
     */
    List<Command> finalizedLog(int id) {
        Replica replica = up(id).replica;
        List<Command> log = new ArrayList<>();
        for (long slot = 1; slot < replica.firstUnfinalizedSlot(); slot++) {
            log.add(slot <= replica.snapshotSlot() ? chosen.get(slot) : replica.entry(slot).command());
        }
        return log;
    }

    // ---- Snapshots ----

    /**
     * Server {@code id} snapshots its applied state and compacts its log (in memory: a scenario disk
     * keeps every entry). The snapshot's bytes name what it holds and are padded to {@code bytes}, so
     * a transfer of it takes several chunks; the cluster remembers which applies they stand for.
     */
    Snapshot compact(int id, int bytes) {
        Server server = up(id);
        long slot = server.replica.appliedSlot();
        String name = "snapshot of s" + id + " at " + slot + " #" + snapshots.size() + " ";
        // The core's part (the membership history, docs/membership.md#snapshots) goes in front; the
        // state is padded so that the whole snapshot is {@code bytes} long.
        int core = io.paxlog.core.CoreSnapshot.wrap(server.replica.memberships(),
                io.paxlog.api.SnapshotSource.of(new byte[0])).toByteArray().length;
        byte[] data = java.util.Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8),
                Math.max(bytes - core, name.length()));
        for (int i = name.length(); i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        data = io.paxlog.core.CoreSnapshot.wrap(server.replica.memberships(), io.paxlog.api.SnapshotSource.of(data))
                .toByteArray();
        Snapshot snapshot = new Snapshot(slot, data);
        snapshots.put(new String(data, StandardCharsets.UTF_8), List.copyOf(server.applied));
        note("s" + id, "compact  through slot " + slot + " (" + data.length + " bytes)");
        handle(server, server.replica.compacted(snapshot));
        return snapshot;
    }

    /** The trace and every server's state, for a failure report. */
    String report() {
        StringBuilder text = new StringBuilder("---- trace ----\n");
        trace.forEach(line -> text.append(line).append('\n'));
        text.append("---- servers ----\n");
        for (Server server : servers.values()) {
            text.append(server.replica == null ? "server " + server.id + " down" : server.replica.toString())
                    .append("  disk: promised=").append(server.disk.promised())
                    .append(' ').append(server.disk.entries())
                    .append(server.disk.pending().isEmpty() ? "" : " pending " + server.disk.pending().size())
                    .append('\n');
        }
        text.append("in flight: ").append(inFlight).append('\n');
        return text.toString();
    }

    // ---- One step's effects ----

    private void handle(Server server, Effects effects) {
        String who = "s" + server.id;
        checkInvariants(); // the step is over: its finalized slots are known before its applies are checked
        Replica replica = server.replica;
        checked(() -> checker.stepped(replica, effects));
        for (PersistBatch batch : effects.persist()) {
            server.disk.write(batch);
            note(who, "write    #" + batch.id() + describe(batch));
        }
        for (Envelope envelope : effects.send()) {
            if (isCut(envelope)) {
                note(who, "send     " + envelope + "  (lost: link cut)");
                continue;
            }
            note(who, "send     " + envelope);
            sent.add(envelope);
            inFlight.add(envelope);
        }
        Snapshot install = effects.install();
        for (Apply apply : effects.apply()) {
            if (install != null && apply.slot() > install.slot()) {
                install(server, install);
                install = null;
            }
            checkApply(server, apply);
            server.applied.add(apply);
            if (apply.requestId() != 0) {
                answers.put(apply.requestId(), apply);
            }
            note(who, "apply    slot " + apply.slot() + " " + apply.command()
                    + (apply.requestId() != 0 ? "  -> answers request " + apply.requestId() : ""));
        }
        if (install != null) {
            install(server, install);
        }
        for (Refusal refusal : effects.refusals()) {
            refusals.put(refusal.requestId(), refusal);
            note(who, "refuse   request " + refusal.requestId() + " " + refusal.reason() + " hint=s" + refusal.leaderHint());
        }
        checkInvariants();
        if (server.disk.automatic && !server.disk.pending().isEmpty() && server.replica != null) {
            persist(server.id);
        }
    }

    /** The state a snapshot stands for replaces what the server applied. */
    private void install(Server server, Snapshot snapshot) {
        List<Apply> state = snapshots.get(new String(snapshot.data(), StandardCharsets.UTF_8));
        if (state == null) {
            fail("server " + server.id + " installed a snapshot nobody took: " + snapshot);
        }
        if (state.size() != snapshot.slot() || (!state.isEmpty() && state.get(state.size() - 1).slot() != snapshot.slot())) {
            fail("server " + server.id + " installed " + snapshot + " that holds " + state.size() + " applies");
        }
        server.applied.clear();
        server.applied.addAll(state);
        installs.add(server.id);
        note("s" + server.id, "install  " + snapshot);
    }

    /** Servers that installed a snapshot received from another, in order. */
    List<Integer> installs() {
        return List.copyOf(installs);
    }

    private static String describe(PersistBatch batch) {
        StringBuilder text = new StringBuilder();
        if (batch.promised() != null) {
            text.append(" promised=").append(batch.promised());
        }
        if (!batch.entries().isEmpty()) {
            text.append(" entries=").append(batch.entries().stream()
                    .map(e -> e.slot() + "=" + e.command() + "@" + e.epoch()).collect(Collectors.toList()));
        }
        if (!batch.finalizedSlots().isEmpty()) {
            text.append(" finalized=").append(batch.finalizedSlots());
        }
        return text.toString();
    }

    // ---- Checks ----

    private void checkApply(Server server, Apply apply) {
        long expected = server.applied.isEmpty() ? 1 : server.applied.get(server.applied.size() - 1).slot() + 1;
        if (apply.slot() != expected) {
            fail("server " + server.id + " applied slot " + apply.slot() + " but slot " + expected + " was next");
        }
        Command atSlot = chosen.get(apply.slot());
        if (!apply.command().equals(atSlot)) {
            fail("server " + server.id + " applied " + apply.command() + " at slot " + apply.slot()
                    + " but " + atSlot + " was finalized there");
        }
    }

    private void checkInvariants() {
        for (Server server : servers.values()) {
            checkDisk(server);
            Replica replica = server.replica;
            if (replica == null) {
                continue;
            }
            if (replica.promised().isBelow(server.promisedSeen)) {
                fail("server " + server.id + " promised decreased: " + server.promisedSeen + " -> " + replica.promised());
            }
            server.promisedSeen = replica.promised();
            for (long slot = 1; slot <= replica.lastUsedSlot(); slot++) {
                Entry entry = replica.entry(slot);
                if (entry != null && entry.finalized()) {
                    agree(server.id, slot, entry.command());
                }
            }
        }
    }

    private void checkDisk(Server server) {
        for (SlotState state : server.disk.entries()) {
            if (state.finalized()) {
                agree(server.id, state.slot(), state.command());
            }
        }
    }

    private void agree(int server, long slot, Command command) {
        Command previous = chosen.putIfAbsent(slot, command);
        if (previous != null && !previous.equals(command)) {
            fail("agreement: server " + server + " finalized slot " + slot + " with " + command
                    + " but " + previous + " was finalized there before");
        }
    }

    /** Runs one of the {@link Checker}'s checks; its violation fails the script like the harness's own. */
    private void checked(Runnable check) {
        try {
            check.run();
        } catch (io.paxlog.sim.Violation violation) {
            fail(violation.getMessage());
        }
    }

    private void fail(String message) {
        note("!!", message);
        throw new AssertionError(message);
    }

    // ---- Helpers ----

    private Server up(int id) {
        Server server = servers.get(id);
        if (server == null) {
            throw new IllegalArgumentException("no server " + id);
        }
        if (server.replica == null) {
            throw new IllegalStateException("server " + id + " is down");
        }
        return server;
    }

    private void note(String who, String what) {
        trace.add(String.format("%6d ms  %-4s %s", now, who, what));
    }
}
