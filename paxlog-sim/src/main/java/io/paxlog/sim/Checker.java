package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.core.Apply;
import io.paxlog.core.Effects;
import io.paxlog.core.Entry;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Membership;
import io.paxlog.core.MembershipHistory;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants of docs/protocol.md#invariants, checked after every step of every server:
 * agreement and stability of finalized slots (across restarts), durability of acknowledged commands,
 * equal state for equal applied prefixes, {@code promised} never decreasing. Exactly-once is checked
 * by {@link AppendMachine} (in the other workloads, a command applied twice shows in later results);
 * linearizability by {@link Linearizability} at the end; each workload's own invariants by the
 * workload ({@link SimWorkload#firstApplied}).
 *
 * <p>It also checks three rules on what a server sends, the moment it sends it, rather than waiting
 * for a broken rule to end in a wrong choice, which under random faults takes a rare interleaving:
 * <ul>
 *   <li>Rule D: a reply that promises durable state (overthrowOk, storeOk, readReply) is backed by what
 *       the server's replica was told is durable ({@link #persisted});
 *   <li>docs/protocol.md#step-4-read-and-re-propose: a leader reads only from servers whose overthrowOk of its
 *       epoch reached it ({@link #delivered});
 *   <li>read-index: a leader answers a read only after a majority, itself included, answered a query
 *       round at its epoch sent after the read arrived ({@link #readArrived}), without a higher promise.
 *   <li>membership (docs/membership.md): a leader stores no slot whose governing membership it cannot
 *       know yet (the alpha rule); it re-proposes a slot of its takeover only with promises of a majority
 *       of the membership governing that slot; and a server finalizes a slot only once a majority of the
 *       membership governing it durably accepted its command at one epoch. The governing memberships
 *       are the checker's own, computed from the chosen log, not the servers'.
 * </ul>
 *
 * <p>Public, with the hooks those rules need, for the scripted scenario harness
 * ({@code io.paxlog.sim.scenario.ScenarioCluster}), so that scripts and random seeds check them with
 * one implementation.
 */
public final class Checker {

    /** slot -> the one command any server ever finalized there. Grows only. */
    private final Map<Long, Command> chosen = new HashMap<>();
    /** stateHashAfter.get(slot - 1): state hash after applying slots 1..slot. */
    private final List<Long> stateHashAfter = new ArrayList<>();
    /** outcomeAt.get(slot - 1): what the exactly-once layer decided for that slot, the same on every server. */
    private final List<ExactlyOnce.Outcome.Kind> outcomeAt = new ArrayList<>();
    private final Map<Integer, Epoch> promisedSeen = new HashMap<>();
    /** slot -> epoch -> servers that durably accepted that slot's command at that epoch. */
    private final Map<Long, Map<Epoch, Accepted>> accepted = new HashMap<>();
    /** slot -> the first (epoch, command) a majority durably accepted: chosen, in Paxos terms. */
    private final Map<Long, Accepted> chosenByMajority = new HashMap<>();
    /** The memberships as the chosen log makes them, replayed here from {@link #chosen} (never pruned). */
    private final MembershipHistory memberships;
    /** Slots with durable acceptances whose governing membership was not yet known: judged once it is. */
    private final java.util.TreeSet<Long> undecided = new java.util.TreeSet<>();
    private long maxAppliedSlot;
    private long leaderElections;
    /** What the checker knows of each running server's incarnation, by id; replaced at each start. */
    private final Map<Integer, ServerView> views = new HashMap<>();

    /** A stored entry, as far as Rule D is concerned: its epoch and command. */
    private record Stored(Epoch epoch, Command command) {}

    /** A read-index read that reached a leader: its epoch then, and the last query round it had sent. */
    private record ReadArrival(Epoch epoch, long lastRoundSent) {}

    /** One incarnation of one server, seen from outside: what it was told is durable, and what it heard. */
    private static final class ServerView {
        /** The promise and entries its replica was told are durable: what its replies may rely on. */
        Epoch durablePromised = Epoch.ZERO;
        final Map<Long, Stored> durableEntries = new HashMap<>();
        /** Batches it issued and was not yet told are durable, in id order. */
        final ArrayDeque<PersistBatch> issued = new ArrayDeque<>();
        /** epoch (its own) -> servers whose overthrowOk of that epoch reached it. */
        final Map<Epoch, Set<Integer>> overthrowAcks = new HashMap<>();
        /** epoch (its own) -> server -> the highest query round that server answered without a higher promise. */
        final Map<Epoch, Map<Integer, Long>> roundsAnswered = new HashMap<>();
        /** The epoch of the query rounds it sent last, and the last round sent at it. */
        Epoch roundsEpoch;
        long lastRoundSent;
        /** epoch (its own) -> the read answers that reached it: {from, fromSlot, toSlot}. */
        final Map<Epoch, List<long[]>> readReplies = new HashMap<>();
        /** Read-index reads that reached it while it led, by request id, until answered. */
        final Map<Long, ReadArrival> reads = new HashMap<>();

        void apply(PersistBatch batch) {
            if (batch.promised() != null && batch.promised().isAbove(durablePromised)) {
                durablePromised = batch.promised();
            }
            for (StoredEntry entry : batch.entries()) {
                durableEntries.put(entry.slot(), new Stored(entry.epoch(), entry.command()));
            }
        }
    }

    private static final class Accepted {
        final Epoch epoch;
        final Command command;
        int servers;

        Accepted(Epoch epoch, Command command) {
            this.epoch = epoch;
            this.command = command;
        }
    }

    /** Servers 1..servers as the seed's voters, with the default alpha. */
    public Checker(int servers) {
        this(Membership.seed(java.util.stream.IntStream.rangeClosed(1, servers).boxed().toList(),
                ReplicaConfig.Reconfig.DEFAULT.alpha()));
    }

    public Checker(Membership seed) {
        this.memberships = new MembershipHistory(seed, false);
    }

    /** The memberships the chosen log made so far: which one governs which slot. */
    public MembershipHistory memberships() {
        return memberships;
    }

    /**
     * A store became durable on a server. Tracks when a command becomes chosen (a majority durably
     * accepted it at one epoch) and checks the heart of Paxos: once chosen, no store at a higher
     * epoch carries a different command for that slot. This catches a wrong takeover even when no
     * server ever finalizes the overwritten command.
     */
    void durablyAccepted(int server, long slot, Epoch epoch, Command command) {
        Map<Epoch, Accepted> byEpoch = accepted.computeIfAbsent(slot, s -> new HashMap<>());
        Accepted at = byEpoch.computeIfAbsent(epoch, e -> new Accepted(epoch, command));
        if (!at.command.equals(command)) {
            throw new Violation("two commands stored in slot " + slot + " under the same epoch " + epoch + ": "
                    + at.command + " and " + command);
        }
        at.servers |= 1 << server;
        if (!memberships.knowsGoverning(slot)) {
            undecided.add(slot); // which majority chooses it is known once slot - alpha is chosen
            return;
        }
        judge(slot, at);
    }

    /**
     * Whether {@code at} (one epoch's durable acceptances of a slot) makes a command chosen, a majority
     * of the governing membership, and that no other command was chosen or accepted above it.
     */
    private void judge(long slot, Accepted at) {
        Command command = at.command;
        Epoch epoch = at.epoch;
        Accepted chosenHere = chosenByMajority.get(slot);
        if (chosenHere != null && epoch.isAbove(chosenHere.epoch) && !command.equals(chosenHere.command)) {
            throw new Violation("servers " + ids(at.servers) + " accepted " + command + " at " + epoch + " for slot " + slot
                    + " but " + chosenHere.command + " was chosen there at " + chosenHere.epoch);
        }
        if (memberships.governing(slot).isQuorum(ids(at.servers))) {
            if (chosenHere == null) {
                chosenByMajority.put(slot, at);
            } else if (!chosenHere.command.equals(command)) {
                throw new Violation("two commands chosen in slot " + slot + ": " + chosenHere.command + " at "
                        + chosenHere.epoch + " and " + command + " at " + epoch);
            }
        }
    }

    public void stepped(Replica replica, Effects effects) {
        int server = replica.selfId();
        Epoch promised = replica.promised();
        Epoch before = promisedSeen.get(server);
        if (before != null && promised.isBelow(before)) {
            throw new Violation("promised decreased on server " + server + ": " + before + " -> " + promised);
        }
        promisedSeen.put(server, promised);
        ServerView view = view(server);
        // What this step finalized and applies first: the memberships the sends are judged by follow
        // the chosen log, and this step's applies are part of it (the loop applies after sending).
        for (Apply apply : effects.apply()) {
            agree(server, apply.slot(), apply.command());
        }
        for (PersistBatch batch : effects.persist()) {
            for (long slot : batch.finalizedSlots()) {
                Entry entry = replica.entry(slot);
                if (entry != null && entry.finalized()) {
                    agree(server, slot, entry.command());
                }
            }
        }
        for (Envelope envelope : effects.send()) {
            sent(replica, view, envelope);
        }
        for (long requestId : effects.reads()) {
            answeredRead(replica, view, requestId);
        }
        for (Refusal refusal : effects.refusals()) {
            view.reads.remove(refusal.requestId()); // a refused read is over: nothing left to confirm
        }
        view.issued.addAll(effects.persist());
        for (PersistBatch batch : effects.persist()) {
            for (long slot : batch.finalizedSlots()) {
                Entry entry = replica.entry(slot);
                if (entry == null || !entry.finalized()) {
                    throw new Violation("server " + server + " wrote a finalize mark for slot " + slot
                            + " that it does not hold finalized");
                }
                agree(server, slot, entry.command());
                finalizedByQuorum(server, slot, entry.command());
            }
        }
    }

    /**
     * A server wrote a finalize mark: the command must be chosen there, by a majority of the membership
     * that governs the slot (not the one the server may believe in), at one epoch.
     */
    private void finalizedByQuorum(int server, long slot, Command command) {
        if (!memberships.knowsGoverning(slot)) {
            throw new Violation("quorum: server " + server + " finalized slot " + slot + ", whose governing membership"
                    + " depends on slot " + (slot - memberships.alpha()) + ", not chosen anywhere yet");
        }
        Accepted chosenHere = chosenByMajority.get(slot);
        if (chosenHere == null || !chosenHere.command.equals(command)) {
            Map<Epoch, Accepted> byEpoch = accepted.getOrDefault(slot, Map.of());
            StringBuilder seen = new StringBuilder();
            byEpoch.values().forEach(a -> seen.append(a.command).append('@').append(a.epoch).append(" by ")
                    .append(ids(a.servers)).append("; "));
            throw new Violation("quorum: server " + server + " finalized slot " + slot + " with " + command
                    + " but no majority of " + memberships.governing(slot) + " durably accepted it at one epoch ("
                    + seen + ")");
        }
    }

    private static Set<Integer> ids(int mask) {
        Set<Integer> ids = new java.util.TreeSet<>();
        for (int id = 0; id < 31; id++) {
            if ((mask & (1 << id)) != 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Replays newly chosen slots of the contiguous chosen prefix into the memberships, then judges what waited. */
    private void advanceMemberships() {
        long before = memberships.appliedSlot();
        Command next;
        while ((next = chosen.get(memberships.appliedSlot() + 1)) != null) {
            memberships.apply(memberships.appliedSlot() + 1, next);
        }
        if (memberships.appliedSlot() == before) {
            return;
        }
        while (!undecided.isEmpty() && memberships.knowsGoverning(undecided.first())) {
            long slot = undecided.pollFirst();
            List<Accepted> byEpoch = new ArrayList<>(accepted.getOrDefault(slot, Map.of()).values());
            byEpoch.sort((a, b) -> a.epoch.isBelow(b.epoch) ? -1 : a.epoch.equals(b.epoch) ? 0 : 1);
            for (Accepted at : byEpoch) {
                judge(slot, at);
            }
        }
    }

    /**
     * A restarted server starts from what its disk kept: the promise it finds may be lower than the
     * one it held in memory only (never sent), but never below what was durable.
     */
    public void restarting(int server, Epoch durablePromised) {
        promisedSeen.put(server, durablePromised);
        views.put(server, new ServerView()); // a new process: it knows and waits for nothing yet
    }

    /**
     * The server started on what its disk kept ({@code durablePromised}, {@code durableEntries}): its
     * promise must not be below it, its finalized entries must agree, and its replies may rely on it.
     */
    public void restarted(Replica replica, Epoch durablePromised, List<SlotState> durableEntries) {
        int server = replica.selfId();
        if (replica.promised().isBelow(durablePromised)) {
            throw new Violation("server " + server + " restarted with promised " + replica.promised()
                    + " below its durable " + durablePromised);
        }
        promisedSeen.put(server, replica.promised());
        // What it recovered is durable; the batches its first step issued (kept in the view) are not yet.
        ServerView view = view(server);
        view.durablePromised = durablePromised;
        for (SlotState state : durableEntries) {
            view.durableEntries.put(state.slot(), new Stored(state.acceptedEpoch(), state.command()));
            if (state.finalized()) {
                agree(server, state.slot(), state.command());
            }
        }
    }

    /**
     * The replica of {@code server} is about to be told that its batches up to {@code batchId} are
     * durable: from now on its replies may rely on them (Rule D).
     */
    public void persisted(int server, long batchId) {
        ServerView view = view(server);
        while (!view.issued.isEmpty() && view.issued.peek().id() <= batchId) {
            PersistBatch batch = view.issued.poll();
            view.apply(batch);
            // Durable, as the replica is told: what choosing counts. The disks also report their own
            // durable entries (possibly earlier); either report is the same fact, counted once.
            for (StoredEntry entry : batch.entries()) {
                durablyAccepted(server, entry.slot(), entry.epoch(), entry.command());
            }
        }
    }

    /** A message is about to reach a running server: what its replica learns from it. */
    public void delivered(Envelope envelope) {
        ServerView to = view(envelope.to());
        if (envelope.message() instanceof OverthrowOk ok) {
            to.overthrowAcks.computeIfAbsent(ok.epoch(), e -> new HashSet<>()).add(envelope.from());
        } else if (envelope.message() instanceof ReadReply reply) {
            to.readReplies.computeIfAbsent(reply.epoch(), e -> new ArrayList<>())
                    .add(new long[] {envelope.from(), reply.fromSlot(), reply.toSlot()});
        } else if (envelope.message() instanceof QueryReply reply && !reply.promised().isAbove(reply.epoch())) {
            // Answered without having promised above the epoch: no higher leader had that server yet.
            to.roundsAnswered.computeIfAbsent(reply.epoch(), e -> new HashMap<>())
                    .merge(envelope.from(), reply.round(), Math::max);
        }
    }

    /** A read-index read is about to reach {@code replica}: its confirming round must come after this. */
    public void readArrived(Replica replica, long requestId) {
        if (replica.role() != Role.LEADER) {
            return; // refused at once
        }
        ServerView view = view(replica.selfId());
        Epoch epoch = replica.ownEpoch();
        long lastRound = epoch.equals(view.roundsEpoch) ? view.lastRoundSent : 0;
        view.reads.put(requestId, new ReadArrival(epoch, lastRound));
    }

    void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome, long stateHash) {
        agree(replica.selfId(), apply.slot(), apply.command());
        long slot = apply.slot();
        if (slot <= outcomeAt.size()) {
            // Sessions and keys are decided by the log alone: every server must decide each slot alike.
            ExactlyOnce.Outcome.Kind expected = outcomeAt.get((int) (slot - 1));
            if (expected != outcome.kind()) {
                throw new Violation("exactly-once diverged: server " + replica.selfId() + " decided " + outcome.kind()
                        + " for " + apply.command() + " at slot " + slot + ", another server " + expected);
            }
        } else if (slot == outcomeAt.size() + 1) {
            outcomeAt.add(outcome.kind());
        }
        if (slot <= stateHashAfter.size()) {
            long expected = stateHashAfter.get((int) (slot - 1));
            if (expected != stateHash) {
                throw new Violation("state diverged: server " + replica.selfId() + " has state hash "
                        + Long.toHexString(stateHash) + " after slot " + slot + ", another server had "
                        + Long.toHexString(expected));
            }
        } else if (slot == stateHashAfter.size() + 1) {
            stateHashAfter.add(stateHash);
        } else {
            throw new Violation("server " + replica.selfId() + " applied slot " + slot + " before slot "
                    + (stateHashAfter.size() + 1) + " was applied anywhere");
        }
        maxAppliedSlot = Math.max(maxAppliedSlot, slot);
    }

    /**
     * A server's state machine was restored from a snapshot at {@code slot} (at start-up, or received
     * from another server): its state must be the one every server had after applying that slot.
     */
    void restored(Replica replica, long slot, long stateHash) {
        if (slot > stateHashAfter.size()) {
            throw new Violation("server " + replica.selfId() + " restored a snapshot at slot " + slot
                    + " but no server applied that slot yet");
        }
        long expected = stateHashAfter.get((int) (slot - 1));
        if (expected != stateHash) {
            throw new Violation("state diverged: server " + replica.selfId() + " restored a snapshot at slot " + slot
                    + " with state hash " + Long.toHexString(stateHash) + ", the servers that applied it had "
                    + Long.toHexString(expected));
        }
        maxAppliedSlot = Math.max(maxAppliedSlot, slot);
    }

    /** A client got an answer for its command at {@code slot}: the log must hold it there forever. */
    void acknowledged(Command command, long slot) {
        Command atSlot = chosen.get(slot);
        if (!command.equals(atSlot)) {
            throw new Violation("client was told " + command + " is at slot " + slot + " but that slot holds " + atSlot);
        }
    }

    void becameLeader() {
        leaderElections++;
    }

    long leaderElections() {
        return leaderElections;
    }

    Map<Long, Command> chosen() {
        return chosen;
    }

    /**
     * Whether the command at {@code slot} took effect (applied, or a repeat of one that was), as the
     * servers that applied the slot agreed; a slot no server applied (only restored from a snapshot)
     * counts as having taken effect, the cautious answer for the label check.
     */
    boolean tookEffect(long slot) {
        if (slot < 1 || slot > outcomeAt.size() || outcomeAt.get((int) (slot - 1)) == null) {
            return true;
        }
        ExactlyOnce.Outcome.Kind kind = outcomeAt.get((int) (slot - 1));
        return kind == ExactlyOnce.Outcome.Kind.APPLIED || kind == ExactlyOnce.Outcome.Kind.DUPLICATE;
    }

    long maxAppliedSlot() {
        return maxAppliedSlot;
    }

    private ServerView view(int server) {
        return views.computeIfAbsent(server, id -> new ServerView());
    }

    /** A message left {@code replica}'s server (messages to itself never leave, and are not seen). */
    private void sent(Replica replica, ServerView view, Envelope envelope) {
        switch (envelope.message().kind()) {
            case OVERTHROW_OK -> {
                Epoch e = envelope.message().epoch();
                if (view.durablePromised.isBelow(e)) {
                    throw ruleD(envelope, "its promise is durable only up to " + view.durablePromised);
                }
            }
            case STORE_OK -> storeOkBacked(replica, view, envelope, (StoreOk) envelope.message());
            case READ_REPLY -> {
                for (SlotState reported : ((ReadReply) envelope.message()).slots()) {
                    Stored durable = view.durableEntries.get(reported.slot());
                    // A newer durable entry is fine: the reply was true when made, and was durable then.
                    boolean backed = durable != null && (durable.command().equals(reported.command())
                            || durable.epoch().isAbove(reported.acceptedEpoch()));
                    if (!backed) {
                        throw ruleD(envelope, "it reports " + reported + " but slot " + reported.slot()
                                + " is durable as " + describe(durable));
                    }
                }
            }
            case READ -> {
                Epoch e = envelope.message().epoch();
                Set<Integer> acked = view.overthrowAcks.getOrDefault(e, Set.of());
                if (!acked.contains(envelope.to())) {
                    throw new Violation("read target: server " + envelope.from() + " sent " + envelope.message()
                            + " to " + envelope.to() + ", whose overthrowOk of " + e + " never reached it (only "
                            + new java.util.TreeSet<>(acked) + "'s did)");
                }
            }
            case STORE -> storeGoverned(replica, view, envelope, (Store) envelope.message());
            case QUERY -> {
                Query query = (Query) envelope.message();
                if (!query.epoch().equals(view.roundsEpoch)) {
                    view.roundsEpoch = query.epoch();
                    view.lastRoundSent = 0;
                }
                view.lastRoundSent = Math.max(view.lastRoundSent, query.round());
            }
            default -> {
                if (envelope.message().kind().promisesDurableState()) {
                    throw new IllegalStateException("no Rule D check for " + envelope.message().kind());
                }
            }
        }
    }

    private void storeOkBacked(Replica replica, ServerView view, Envelope envelope, StoreOk ok) {
        if (view.durablePromised.isBelow(ok.epoch())) {
            throw ruleD(envelope, "its promise is durable only up to " + view.durablePromised);
        }
        for (long slot : ok.slots()) {
            if (slot <= replica.snapshotSlot()) {
                continue; // compacted: chosen, so acknowledging it again decides nothing
            }
            Stored durable = view.durableEntries.get(slot);
            Entry memory = replica.entry(slot);
            // A finalized slot is acknowledged as it is, without a write: its durable command must be it.
            boolean backed = durable != null && (!durable.epoch().isBelow(ok.epoch())
                    || (memory != null && memory.finalized() && memory.command().equals(durable.command())));
            if (!backed) {
                throw ruleD(envelope, "slot " + slot + " is durable as " + describe(durable));
            }
        }
    }

    /**
     * A leader's store: every slot's governing membership must be known from what the leader applied
     * (the alpha rule), and a slot of its takeover (one it has not finalized, at or below the last slot
     * its promisers reported) needs the promises of a majority of that membership.
     */
    private void storeGoverned(Replica replica, ServerView view, Envelope envelope, Store store) {
        if (replica.role() != Role.LEADER || !store.epoch().equals(replica.ownEpoch())) {
            return;
        }
        Set<Integer> promisers = new HashSet<>(view.overthrowAcks.getOrDefault(store.epoch(), Set.of()));
        promisers.add(replica.selfId()); // its own promise never leaves it; the core requires it to lead
        long takeoverBound = replica.takeoverLastUsedSlot();
        for (SlotCommand entry : store.entries()) {
            long slot = entry.slot();
            Entry own = replica.entry(slot);
            if (slot <= replica.firstUnfinalizedSlot() - 1 || (own != null && own.finalized())) {
                continue; // chosen already: catch-up of a known command
            }
            if (slot > replica.appliedSlot() + memberships.alpha() || !memberships.knowsGoverning(slot)) {
                throw new Violation("alpha: server " + envelope.from() + " stores slot " + slot + " at " + store.epoch()
                        + " but has applied only through slot " + replica.appliedSlot() + "; alpha is " + memberships.alpha());
            }
            Membership governing = memberships.governing(slot);
            if (slot > takeoverBound) {
                continue; // above every slot an earlier leader may have used: a new proposal
            }
            if (!governing.isQuorum(promisers)) {
                throw new Violation("membership quorum: server " + envelope.from() + " re-proposes slot " + slot + " at "
                        + store.epoch() + " with promises of " + new java.util.TreeSet<>(promisers)
                        + " only, not a majority of " + governing + " governing that slot");
            }
            Set<Integer> readers = new java.util.TreeSet<>();
            readers.add(replica.selfId()); // it reads itself too, without the network
            for (long[] read : view.readReplies.getOrDefault(store.epoch(), List.of())) {
                if (read[1] <= slot && slot <= read[2] && promisers.contains((int) read[0])) {
                    readers.add((int) read[0]);
                }
            }
            if (!governing.isQuorum(readers)) {
                throw new Violation("membership quorum: server " + envelope.from() + " re-proposes slot " + slot + " at "
                        + store.epoch() + " having read it from " + readers + " only, not a majority of " + governing
                        + " governing that slot");
            }
        }
    }

    private static Violation ruleD(Envelope envelope, String why) {
        return new Violation("Rule D: server " + envelope.from() + " sent " + envelope.message() + " to "
                + envelope.to() + " but " + why);
    }

    private static String describe(Stored durable) {
        return durable == null ? "nothing" : durable.command() + "@" + durable.epoch();
    }

    /** Read-index: {@code replica} answers a read; a majority must have confirmed it still led since it arrived. */
    private void answeredRead(Replica replica, ServerView view, long requestId) {
        int server = replica.selfId();
        ReadArrival arrival = view.reads.remove(requestId);
        if (arrival == null) {
            throw new Violation("read-index: server " + server + " answered read " + requestId
                    + " that never reached it while it led");
        }
        if (replica.role() != Role.LEADER || !arrival.epoch().equals(replica.ownEpoch())) {
            throw new Violation("read-index: server " + server + " answered read " + requestId + " that arrived while it"
                    + " led at " + arrival.epoch() + ", but it is " + replica.role() + " at " + replica.ownEpoch());
        }
        Map<Integer, Long> answered = view.roundsAnswered.getOrDefault(arrival.epoch(), Map.of());
        List<Integer> confirming = new ArrayList<>();
        answered.forEach((peer, round) -> {
            if (round > arrival.lastRoundSent()) {
                confirming.add(peer);
            }
        });
        Set<Integer> withSelf = new HashSet<>(confirming);
        withSelf.add(server);
        long from = replica.appliedSlot() + 1;
        long to = replica.appliedSlot() + memberships.alpha();
        if (!memberships.knowsGoverning(to) || !memberships.isQuorumOfEach(from, to, withSelf)) {
            java.util.Collections.sort(confirming);
            throw new Violation("read-index: server " + server + " answered read " + requestId + " at " + arrival.epoch()
                    + " but only " + confirming + " and itself answered a query round sent after it arrived (round > "
                    + arrival.lastRoundSent() + "), not a majority of every membership governing slots " + from + ".." + to);
        }
    }

    private void agree(int server, long slot, Command command) {
        Command previous = chosen.putIfAbsent(slot, command);
        if (previous != null && !previous.equals(command)) {
            throw new Violation("agreement: server " + server + " finalized slot " + slot + " with " + command
                    + " but " + previous + " was finalized there before");
        }
        if (previous == null && slot == memberships.appliedSlot() + 1) {
            advanceMemberships();
        }
    }
}
