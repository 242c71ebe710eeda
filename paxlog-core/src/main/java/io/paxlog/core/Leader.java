package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A server that a majority promised its epoch to (docs/protocol.md#becoming-leader and
 * docs/protocol.md#normal-operation). It recovers earlier slots through its {@link Takeover}, assigns
 * new client commands to slots above them, stores them on every server (itself included, through its
 * own acceptor), finalizes a slot once a majority stored it, and brings lagging followers up to date
 * from their {@code query} answers.
 *
 * <p>Pipelining: at most {@code inflightSlotsMax} slots past the applied slot are assigned; further
 * client commands wait in a bounded queue, then are refused as busy. Batching: new slots go out at the
 * end of each step in stores bounded by slot count and bytes.
 *
 * <p>The leader never stores two different commands in one slot under its epoch; that is what makes
 * {@code finalize(e, slot)} safe.
 *
 * <p>Membership (docs/membership.md): a slot is chosen by a majority of the membership that governs
 * it, and the leader proposes no slot whose governing membership it does not know (above
 * {@link MembershipHistory#governedThrough()}), checked in {@link #propose}. Stores, finalizes and
 * heartbeats go to every server of the memberships still governing a slot above the applied one, and of
 * the latest; learners among them get the log and count for nothing.
 */
class Leader {

    private final Replica replica;
    private final Epoch epoch;
    private final Set<Integer> overthrowAcked;
    private final Takeover takeover;
    private final ReadIndex reads;
    /** Whether any command this leader proposed was chosen: a read needs one (see {@link ReadIndex}). */
    private boolean ownCommandChosen;
    private boolean proposedAny;
    private final Map<Integer, Peer> peers = new LinkedHashMap<>();

    /** Stored under our epoch, not chosen yet. */
    private final TreeMap<Long, Proposal> inflight = new TreeMap<>();
    /** Proposals created in this step, to store at the end of it. */
    private final List<Proposal> fresh = new ArrayList<>();
    /** Slots chosen in this step, to finalize on ourselves at the end of it. */
    private final List<Long> chosenThisStep = new ArrayList<>();
    /** Client requests waiting for their slot to be applied. */
    private final Map<Long, Long> waitingBySlot = new HashMap<>();
    private final ArrayDeque<ClientRequest> queued = new ArrayDeque<>();
    /** Every slot we assigned so far is below this. */
    private long nextSlot;
    private long heartbeatAt;
    /** When this leadership began: a peer that has not answered a round yet counts as heard since then. */
    private final long since;
    /**
     * The last slot to fill with no-ops once a change was applied, so that the change governs soon
     * even without client commands (alpha slots after its own).
     */
    private long padThrough;

    Leader(Replica replica, Epoch epoch, Set<Integer> overthrowAcked, long lastUsedSlot) {
        this.replica = replica;
        this.epoch = epoch;
        this.overthrowAcked = new HashSet<>(overthrowAcked);
        this.since = replica.now();
        refreshPeers();
        this.nextSlot = Math.max(lastUsedSlot, replica.lastUsedSlot()) + 1;
        this.takeover = replica.parts().newTakeover(this, lastUsedSlot);
        this.reads = replica.parts().newReadIndex(this);
    }

    Epoch epoch() {
        return epoch;
    }

    Replica replica() {
        return replica;
    }

    Set<Integer> overthrowAcked() {
        return Collections.unmodifiableSet(overthrowAcked);
    }

    void begin() {
        takeover.begin();
        heartbeat();
    }

    long takeoverLastUsedSlot() {
        return takeover.lastUsedSlot();
    }

    Iterable<Integer> peerIds() {
        return peers.keySet();
    }

    /**
     * The servers the log goes to: every server of a membership still governing a slot above the applied
     * one, and of the latest. A server that left them gets nothing more from this leader.
     */
    private void refreshPeers() {
        java.util.Set<Integer> involved = replica.memberships().involved();
        peers.keySet().removeIf(id -> !involved.contains(id));
        for (int member : involved) {
            if (member != replica.selfId()) {
                peers.computeIfAbsent(member, Peer::new);
            }
        }
    }

    /** A change was applied at {@code slot}: reach its new servers, and fill alpha slots after it. */
    void membershipChanged(long slot) {
        refreshPeers();
        padThrough = Math.max(padThrough, slot + replica.memberships().alpha() - 1);
    }

    /**
     * The rule: the membership whose majority chooses {@code slot} is the one governing it (known: the
     * slot was proposed), never the latest, which may have been applied after the slot was proposed and
     * whose majorities need not meet the governing one's (docs/membership.md#the-alpha-window).
     */
    Membership choosingMembership(long slot) {
        return replica.memberships().governing(slot);
    }

    /**
     * Whether {@code servers} hold a majority of every membership governing the slots after the applied
     * one that this leader could propose: what a leader needs to stay leader and to answer reads.
     */
    boolean isQuorumAhead(Set<Integer> servers) {
        MembershipHistory memberships = replica.memberships();
        return memberships.isQuorumOfEach(replica.appliedSlot() + 1, memberships.governedThrough(), servers);
    }

    /** Each other server's first unfinalized slot as it last reported it (a lower bound), by id. */
    Map<Integer, Long> peerFirstUnfinalizedSlots() {
        Map<Integer, Long> slots = new LinkedHashMap<>();
        peers.values().forEach(peer -> slots.put(peer.id, peer.firstUnfinalizedSlot));
        return slots;
    }

    /** A read-only request, answered once read-index says the local state is current. */
    void read(long requestId) {
        reads.request(requestId);
    }

    /** Whether reads may be served: a command of ours is chosen and every earlier leader's slot is known. */
    boolean servesReads() {
        return ownCommandChosen && takeover.done() && replica.firstUnfinalizedSlot() > takeover.lastUsedSlot;
    }

    /**
     * Reads are waiting for a command of our epoch to be chosen: if the takeover proposed none and no
     * client command came, propose a no-op, once (Raft's no-op at the start of a term, on demand).
     */
    void needOwnCommand() {
        if (!proposedAny && takeover.done()) {
            propose(nextSlot, Command.NOOP, 0);
        }
    }

    /** The servers, ourselves included, that answered query round {@code round} or a later one. */
    Set<Integer> acknowledgedRound(long round) {
        Set<Integer> acked = new HashSet<>();
        acked.add(replica.selfId());
        for (Peer peer : peers.values()) {
            if (peer.roundAcked >= round) {
                acked.add(peer.id);
            }
        }
        return acked;
    }

    // ---- Client commands ----

    void submit(ClientRequest request) {
        if (queued.size() >= replica.config().pendingCommandsMax()) {
            replica.out().refuse(new Refusal(request.requestId(), Refusal.Reason.BUSY, replica.selfId()));
            return;
        }
        queued.add(request);
    }

    /**
     * An operator's change. A promotion is refused here, before anything is proposed, unless the learner
     * reported a first unfinalized slot within {@code promoteLagMax} of ours: a voter far behind could
     * not take its share of the quorums, and promoting it would cost availability. Whether the change
     * applies (its version, who is a member) is decided when it is applied, the same on every server.
     */
    void submitChange(long requestId, MembershipChange change) {
        if (change instanceof MembershipChange.Promote promote) {
            Peer learner = peers.get(promote.server());
            // Never heard (no query round answered): its position is unknown, so it is not close.
            long lag = learner == null || learner.roundAcked == 0 ? Long.MAX_VALUE
                    : replica.firstUnfinalizedSlot() - learner.firstUnfinalizedSlot;
            if (lag > replica.config().reconfig().promoteLagMax()) {
                replica.out().refuse(new Refusal(requestId, Refusal.Reason.LEARNER_BEHIND, replica.selfId()));
                return;
            }
        }
        submit(new ClientRequest(requestId, change.toCommand()));
    }

    /** Room for more unchosen slots in the pipeline. */
    boolean hasRoomForProposals() {
        return inflight.size() < replica.config().inflightSlotsMax();
    }

    /**
     * Room for a client command: the pipeline has room and the new slot is not too far past the
     * applied slot (which bounds the answers we hold while an earlier slot is still being recovered).
     */
    private boolean hasRoomForClients() {
        // Not before the takeover is done: until then, it does not know the last slot an earlier leader
        // may have used (it grows as promises come in, docs/membership.md#takeover).
        return takeover.done() && hasRoomForProposals()
                && nextSlot - 1 - replica.appliedSlot() < replica.config().inflightSlotsMax()
                && nextSlot <= replica.memberships().governedThrough();
    }

    /** Assigns a slot to a command: stored on every server at the end of this step. */
    void propose(long slot, Command command, long requestId) {
        // The alpha rule (docs/membership.md#the-alpha-window): a slot is proposed only once its governing
        // membership is known, else its quorum could be counted in the wrong membership. Always checked.
        if (slot > replica.memberships().governedThrough()) {
            throw new AssertionError("leader " + epoch + " proposes slot " + slot + " but knows the governing"
                    + " membership only through slot " + replica.memberships().governedThrough());
        }
        Proposal proposal = new Proposal(slot, command, replica.now());
        Proposal previous = inflight.put(slot, proposal);
        if (previous != null) {
            throw new AssertionError("leader " + epoch + " proposed slot " + slot + " twice");
        }
        nextSlot = Math.max(nextSlot, slot + 1);
        proposedAny = true;
        fresh.add(proposal);
        if (requestId != 0) {
            waitingBySlot.put(slot, requestId);
        }
    }

    long takeWaiting(long slot) {
        Long requestId = waitingBySlot.remove(slot);
        return requestId == null ? 0 : requestId;
    }

    // ---- Replies ----

    void overthrowOk(int from, OverthrowOk ok) {
        snapshotReported(from, ok.snapshotSlot());
        if (overthrowAcked.add(from)) {
            takeover.overthrowAcked(from, ok.lastUsedSlot());
        }
    }

    void storeOk(int from, StoreOk ok) {
        Peer peer = peers.get(from);
        for (long slot : ok.slots()) {
            Proposal proposal = inflight.get(slot);
            if (proposal != null && slot <= replica.appliedSlot()) {
                inflight.remove(slot); // settled meanwhile (a snapshot covered it): nothing left to count
            } else if (proposal != null) {
                proposal.acked.add(from);
                if (choosingMembership(slot).isQuorum(proposal.acked)) {
                    ownCommandChosen = true;
                    inflight.remove(slot);
                    chosenThisStep.add(slot);
                    finalizeOnAckers(proposal);
                }
            } else if (peer != null && replica.entry(slot) != null && replica.entry(slot).finalized()) {
                peer.toFinalize.add(slot); // stored after it was chosen: catch-up or a late ack
            }
        }
    }

    void finalizeReply(int from, FinalizeReply reply) {
        Peer peer = peers.get(from);
        if (peer == null && from != replica.selfId()) {
            return; // a server the log no longer goes to (removed since we sent it)
        }
        if (peer == null) {
            if (!reply.missing().isEmpty()) {
                throw new AssertionError("leader " + epoch + " could not finalize its own slots " + reply.missing());
            }
            return;
        }
        peer.firstUnfinalizedSlot = Math.max(peer.firstUnfinalizedSlot, reply.firstUnfinalizedSlot());
        List<SlotCommand> restore = new ArrayList<>();
        long chunkEnd = 0;
        for (long slot : reply.missing()) {
            chunkEnd = Math.max(chunkEnd, slot);
            Entry entry = replica.entry(slot);
            if (entry != null && entry.finalized()) {
                restore.add(new SlotCommand(slot, entry.command()));
            }
        }
        for (long slot : reply.finalized()) {
            chunkEnd = Math.max(chunkEnd, slot);
        }
        if (!restore.isEmpty()) {
            sendStores(from, restore); // store then finalize under our epoch: safe for a chosen command
        }
        // Pipelined catch-up: the answer to the newest chunk sends the next one, without waiting for
        // the restored slots. Only the newest: a duplicated or older answer must not start a second
        // chain (duplicates would multiply without bound).
        if (chunkEnd >= peer.catchUpSentTo && peer.catchUpSentTo > 0) {
            catchUp(peer, Math.max(chunkEnd + 1, peer.firstUnfinalizedSlot));
        }
    }

    void readReply(int from, ReadReply reply) {
        takeover.readReply(from, reply);
    }

    /** A server that promised our epoch compacted every slot up to {@code slot} into its snapshot. */
    void snapshotReported(int server, long slot) {
        takeover.snapshotReported(server, slot);
    }

    /**
     * We installed another server's snapshot: every slot up to {@code slot} is chosen. Proposals
     * there are settled (a correct takeover proposed the chosen commands), and their clients' answers
     * are inside the snapshot's exactly-once table: a retry with the same sequence gets them.
     */
    void snapshotInstalled(long slot) {
        refreshPeers(); // the snapshot's memberships may list servers we did not send to
        inflight.headMap(slot, true).clear();
        fresh.removeIf(proposal -> proposal.slot <= slot);
        waitingBySlot.entrySet().removeIf(waiting -> {
            if (waiting.getKey() > slot) {
                return false;
            }
            replica.out().refuse(new Refusal(waiting.getValue(), Refusal.Reason.NOT_LEADER, replica.selfId()));
            return true;
        });
        takeover.snapshotInstalled();
        if (!ownCommandChosen) {
            // Our own proposals the snapshot covered are gone with it: unless one is still in flight, a
            // read waiting for a command of our epoch must be able to propose its no-op (issue 11 #5).
            proposedAny = !inflight.isEmpty() || !fresh.isEmpty();
        }
    }

    void queryReply(int from, QueryReply reply) {
        Peer peer = peers.get(from);
        if (peer == null) {
            return;
        }
        peer.firstUnfinalizedSlot = reply.firstUnfinalizedSlot();
        peer.roundAcked = Math.max(peer.roundAcked, reply.round());
        boolean chainIdle = replica.now() - peer.catchUpAt >= replica.config().heartbeatIntervalMs();
        if (peer.firstUnfinalizedSlot > peer.catchUpSentTo || chainIdle) {
            catchUp(peer, peer.firstUnfinalizedSlot); // start, or restart a chain whose messages were lost
        }
    }

    /**
     * Whether to become passive on learning of a higher epoch. Always: a higher epoch makes the leader
     * passive at once (docs/protocol.md#stepping-down-on-a-higher-epoch). A hook only so tests can break
     * the rule.
     */
    boolean yieldsTo(Epoch higher) {
        return true;
    }

    // ---- Timers ----

    void tick(long now) {
        if (now >= heartbeatAt) {
            if (!replica.memberships().involvedVoters().contains(replica.selfId())) {
                // Removed, and the removal governs every slot we could propose: a voter should lead.
                replica.stepDown(null);
                return;
            }
            if (!majorityRecentlyAcked(now)) {
                // Partitioned away from a majority: stop claiming leadership so clients go elsewhere
                // (docs/protocol.md#check-quorum).
                replica.stepDown(null);
                return;
            }
            heartbeat();
            resendUnchosen(now);
            overthrowStragglers();
            takeover.resend(); // last: it may step down
        }
    }

    private void heartbeat() {
        heartbeatAt = replica.now() + replica.config().heartbeatIntervalMs();
        reads.sendRound();
    }

    /**
     * Keeps asking servers that have not promised our epoch yet: until they do, they cannot be read
     * during the takeover, and a majority of them may be needed.
     */
    private void overthrowStragglers() {
        if (takeover.done()) {
            return;
        }
        for (int voter : replica.memberships().involvedVoters()) {
            if (!overthrowAcked.contains(voter) && voter != replica.selfId()) {
                replica.out().send(voter, new Overthrow(epoch));
            }
        }
    }

    private boolean majorityRecentlyAcked(long now) {
        Set<Integer> recent = new HashSet<>();
        recent.add(replica.selfId());
        for (Peer peer : peers.values()) {
            // Heard lately means: answered a round we sent lately. An answer that arrives now may have
            // been sent long ago (a slow link to a server that no longer hears us); counted by arrival,
            // it kept a deaf leader leading, and its followers, hearing its heartbeats, never elected
            // another (the simulator's availability check found it).
            long heardAsOf = peer.roundAcked != 0 ? reads.sentAt(peer.roundAcked) : since;
            // Compared this way round: a round too old to be remembered is Long.MIN_VALUE, and
            // now - MIN_VALUE would overflow into "recent".
            if (heardAsOf >= now - replica.config().electionTimeoutMaxMs()) {
                recent.add(peer.id);
            }
        }
        return isQuorumAhead(recent);
    }

    private void resendUnchosen(long now) {
        long resendBefore = now - replica.config().heartbeatIntervalMs();
        Map<Integer, List<SlotCommand>> perPeer = new HashMap<>();
        int limit = replica.config().storeBatchSlotsMax();
        for (Proposal proposal : inflight.values()) {
            if (proposal.sentAt > resendBefore) {
                break; // later proposals were sent later still
            }
            proposal.sentAt = now;
            for (Peer peer : peers.values()) {
                if (!proposal.acked.contains(peer.id)) {
                    List<SlotCommand> list = perPeer.computeIfAbsent(peer.id, id -> new ArrayList<>());
                    if (list.size() < limit) {
                        list.add(new SlotCommand(proposal.slot, proposal.command));
                    }
                }
            }
        }
        perPeer.forEach(this::sendStores);
    }

    // ---- Catch-up ----

    /**
     * Finalizes, on a lagging peer, the chosen slots from {@code from} on (docs/protocol.md#catch-up); it
     * answers with the slots it is missing, which we then store and finalize.
     */
    private void catchUp(Peer peer, long from) {
        long ownFirstUnfinalized = replica.firstUnfinalizedSlot();
        if (from >= ownFirstUnfinalized) {
            peer.catchUpSentTo = 0; // caught up: no chain running
            return;
        }
        if (from <= replica.snapshotSlot()) {
            // Those slots' commands are gone from our log: the follower fetches our snapshot instead,
            // driving the transfer itself. Offered again only when the chain looks idle.
            peer.catchUpSentTo = replica.snapshotSlot();
            peer.catchUpAt = replica.now();
            replica.transfer().offer(peer.id);
            return;
        }
        long to = Math.min(ownFirstUnfinalized - 1, from + replica.config().catchUpSlotsMax() - 1);
        List<Long> slots = new ArrayList<>();
        for (long slot = from; slot <= to; slot++) {
            slots.add(slot);
        }
        peer.catchUpSentTo = to;
        peer.catchUpAt = replica.now();
        replica.out().send(peer.id, new Finalize(epoch, slots));
    }

    // ---- End of step ----

    /** Admits queued commands, then stores new slots and finalizes chosen ones. */
    void flush() {
        takeover.continueIfRoom();
        if (takeover.done() && nextSlot <= takeover.lastUsedSlot()) {
            nextSlot = takeover.lastUsedSlot() + 1; // the takeover's bound grew with later promises
        }
        reads.flush(); // first: it may propose a no-op, which goes out with this step's stores
        while (!queued.isEmpty() && hasRoomForClients()) {
            ClientRequest request = queued.poll();
            propose(nextSlot, request.command(), request.requestId());
        }
        while (nextSlot <= padThrough && hasRoomForClients()) {
            propose(nextSlot, Command.NOOP, 0); // so that an applied change governs soon
        }
        if (!fresh.isEmpty()) {
            List<SlotCommand> batch = new ArrayList<>(fresh.size());
            for (Proposal proposal : fresh) {
                batch.add(new SlotCommand(proposal.slot, proposal.command));
            }
            fresh.clear();
            sendStores(replica.selfId(), batch);
            for (int member : peers.keySet()) {
                sendStores(member, batch);
            }
        }
        if (!chosenThisStep.isEmpty()) {
            replica.out().send(replica.selfId(), new Finalize(epoch, chosenThisStep));
            chosenThisStep.clear();
        }
        for (Peer peer : peers.values()) {
            if (!peer.toFinalize.isEmpty()) {
                replica.out().send(peer.id, new Finalize(epoch, peer.toFinalize));
                peer.toFinalize.clear();
            }
        }
    }

    /** The leader lost its leadership: tell every waiting client to go elsewhere. */
    void abandon(int leaderHint) {
        reads.abandon(leaderHint);
        for (long requestId : waitingBySlot.values()) {
            replica.out().refuse(new Refusal(requestId, Refusal.Reason.NOT_LEADER, leaderHint));
        }
        for (ClientRequest request : queued) {
            replica.out().refuse(new Refusal(request.requestId(), Refusal.Reason.NOT_LEADER, leaderHint));
        }
    }

    private void finalizeOnAckers(Proposal proposal) {
        for (Peer peer : peers.values()) {
            if (proposal.acked.contains(peer.id)) {
                peer.toFinalize.add(proposal.slot);
            }
        }
    }

    /** A reply at our epoch: the sender still acknowledges us as leader (for check-quorum). */

    /** Sends stores bounded by slot count and bytes. */
    private void sendStores(int to, List<SlotCommand> entries) {
        ReplicaConfig config = replica.config();
        List<SlotCommand> batch = new ArrayList<>();
        int bytes = 0;
        for (SlotCommand entry : entries) {
            int size = entry.command().sizeBytes();
            if (!batch.isEmpty() && (batch.size() >= config.storeBatchSlotsMax() || bytes + size > config.storeBatchBytesMax())) {
                replica.out().send(to, new Store(epoch, batch));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(entry);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            replica.out().send(to, new Store(epoch, batch));
        }
    }
}
