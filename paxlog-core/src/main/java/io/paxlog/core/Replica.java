package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotContent;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One server's protocol core: a single-threaded, deterministic state machine with no I/O, no clock
 * and no randomness of its own.
 *
 * <p>Events go in ({@link #receive}, {@link #tick}, {@link #persisted}, {@link #submit}); each returns
 * the {@link Effects} the runtime must carry out. Time arrives as a value, randomness as the injected
 * generator, storage and network as effects. That is what lets the simulator drive this exact code.
 *
 * <p>This class is the dispatcher: it routes requests to the {@link Acceptor} every server runs, and
 * replies to the role in charge ({@link Candidate} or {@link Leader}), and owns the timers and the
 * apply position. A passive server whose election timeout passes first runs a {@link PreVote}, and
 * raises its epoch only once a majority says it would promise it (docs/prevote.md).
 *
 * <p>Thread: not thread-safe. One thread owns a replica and calls every method.
 *
 * <p>Invariants: {@code appliedSlot < acceptor.log().firstUnfinalizedSlot()}; a candidate or
 * leader's epoch is never below {@code promised} at the end of a step.
 */
public final class Replica {

    private final ReplicaConfig config;
    private final RandomGenerator random;
    private final Parts parts;
    private final Outbox out;
    private final Acceptor acceptor;
    private final SnapshotTransfer transfer;
    private final PreVote preVote;
    /** Which membership governs which slot; advanced with every applied slot, replaced by a snapshot. */
    private MembershipHistory memberships;

    private Role role = Role.PASSIVE;
    private Candidate candidate;
    private Leader leader;

    private long now;
    /**
     * Passive: when to start a pre-vote (or, while one runs, a fresh round of it). Candidate: when to
     * give up on its epoch and ask again.
     */
    private long electionDeadline;
    /**
     * When this server last heard a live leader (or a candidate's overthrow) at its promise or above;
     * its start counts, as a restarted server cannot know that no leader is alive. Leader stickiness:
     * pre-votes are declined for the minimum election timeout after it.
     */
    private long leaderHeardAt;
    private long highestRoundSeen;
    private int leaderHint;
    private long appliedSlot;
    private boolean started;

    public Replica(ReplicaConfig config, RecoveredState recovered, RandomGenerator random, long now) {
        this(config, recovered, random, now, new Parts());
    }

    Replica(ReplicaConfig config, RecoveredState recovered, RandomGenerator random, long now, Parts parts) {
        this.config = config;
        this.random = random;
        this.parts = parts;
        this.out = parts.newOutbox(config.selfId());
        this.acceptor = parts.newAcceptor(out, recovered);
        this.transfer = new SnapshotTransfer(this);
        this.preVote = parts.newPreVote(this);
        if (recovered.snapshot() != null) {
            // The runtime restored the state machine from it: everything up to its slot is applied.
            appliedSlot = recovered.snapshot().slot();
            transfer.hold(recovered.snapshot());
            memberships = membershipsOf(recovered.snapshot());
        } else {
            memberships = new MembershipHistory(config.seedMembership(), true);
        }
        this.now = now;
        this.highestRoundSeen = acceptor.promised().round();
        this.electionDeadline = now + randomElectionTimeout();
        this.leaderHeardAt = now;
    }

    // ---- Events ----

    /** First step after construction: applies the finalized prefix found on disk. */
    public Effects start() {
        if (started) {
            throw new IllegalStateException("replica already started");
        }
        started = true;
        return finish();
    }

    public Effects receive(Envelope envelope) {
        requireStarted();
        if (envelope.to() != config.selfId()) {
            throw new IllegalArgumentException("message for " + envelope.to() + " delivered to " + config.selfId());
        }
        // Any server may write: a learner being added, a removed one that does not know it yet. What
        // its messages count for is decided by the memberships, where they are counted.
        if (envelope.from() == config.selfId() || envelope.from() <= 0) {
            throw new IllegalArgumentException("message from invalid sender " + envelope.from());
        }
        dispatch(envelope);
        return finish();
    }

    /**
     * A message that arrived at {@code now}: the clock moves there first (never back), but timers fire
     * only in {@link #tick}. For drivers whose ticks are coarse or scripted; leader stickiness judges
     * how long ago a leader was heard by this clock.
     */
    public Effects receive(Envelope envelope, long now) {
        requireStarted();
        if (now < this.now) {
            throw new IllegalArgumentException("time went backwards: " + now + " < " + this.now);
        }
        this.now = now;
        return receive(envelope);
    }

    public Effects tick(long now) {
        requireStarted();
        if (now < this.now) {
            throw new IllegalArgumentException("time went backwards: " + now + " < " + this.now);
        }
        this.now = now;
        switch (role) {
            case PASSIVE -> {
                if (now >= electionDeadline) {
                    campaign();
                } else {
                    preVote.tick(now);
                }
            }
            case CANDIDATE -> {
                if (now >= electionDeadline) {
                    campaign();
                } else {
                    candidate.tick(now);
                }
            }
            case LEADER -> leader.tick(now);
        }
        transfer.tick(now);
        return finish();
    }

    /**
     * The runtime's snapshot at {@code snapshot.slot()} (taken from the applied state) is durable:
     * drop the entries it covers and serve it to servers that fall behind it, from wherever the store
     * keeps it.
     */
    public Effects compacted(SnapshotContent snapshot) {
        requireStarted();
        if (snapshot.slot() > appliedSlot) {
            throw new IllegalArgumentException("snapshot at " + snapshot.slot() + " is above the applied slot " + appliedSlot);
        }
        acceptor.log().compactThrough(snapshot.slot());
        transfer.hold(snapshot);
        return finish();
    }

    /** Storage reports that every batch up to {@code batchId} is durable. */
    public Effects persisted(long batchId) {
        requireStarted();
        out.durable(batchId);
        return finish();
    }

    public Effects submit(ClientRequest request) {
        requireStarted();
        if (role == Role.LEADER) {
            leader.submit(request);
        } else {
            out.refuse(new Refusal(request.requestId(), Refusal.Reason.NOT_LEADER, leaderHint));
        }
        return finish();
    }

    /**
     * Several client requests in one step, each as {@link #submit} would take it and in this order. The
     * commands a leader admits leave together at the end of the step, in one write to its log and in
     * stores bounded as usual, instead of one step, one write (and one fsync) and one store per peer
     * each: what lets a loaded leader batch what its loop drained from its queue at once.
     */
    public Effects submitAll(List<ClientRequest> requests) {
        requireStarted();
        for (ClientRequest request : requests) {
            if (role == Role.LEADER) {
                leader.submit(request);
            } else {
                out.refuse(new Refusal(request.requestId(), Refusal.Reason.NOT_LEADER, leaderHint));
            }
        }
        return finish();
    }

    /**
     * An operator's membership change (docs/membership.md#operations): proposed as a command when this
     * server leads, and answered through {@link Effects#apply} with its {@link MembershipChange.Result}
     * once applied; refused when this server does not lead, or (a promotion) when the learner lags.
     */
    public Effects submitChange(long requestId, MembershipChange change) {
        requireStarted();
        if (requestId <= 0) {
            throw new IllegalArgumentException("request ids are positive, was " + requestId);
        }
        if (role == Role.LEADER) {
            leader.submitChange(requestId, change);
        } else {
            out.refuse(new Refusal(requestId, Refusal.Reason.NOT_LEADER, leaderHint));
        }
        return finish();
    }

    /**
     * A read-only request: answered through {@link Effects#reads} once the local state is current
     * (read-index), or refused when this server does not lead. {@code requestId} shares its space with
     * {@link #submit}'s.
     */
    public Effects read(long requestId) {
        requireStarted();
        if (requestId <= 0) {
            throw new IllegalArgumentException("request ids are positive, was " + requestId);
        }
        if (role == Role.LEADER) {
            leader.read(requestId);
        } else {
            out.refuse(new Refusal(requestId, Refusal.Reason.NOT_LEADER, leaderHint));
        }
        return finish();
    }

    // ---- Read-only views, for the runtime, status pages and the simulator's checks ----

    public int selfId() {
        return config.selfId();
    }

    public Role role() {
        return role;
    }

    public Epoch promised() {
        return acceptor.promised();
    }

    /** The epoch this server leads or tries to lead at; null when passive. */
    public Epoch ownEpoch() {
        return switch (role) {
            case PASSIVE -> null;
            case CANDIDATE -> candidate.epoch();
            case LEADER -> leader.epoch();
        };
    }

    /**
     * Whether this passive server is asking the others, in a pre-vote, if they would promise a new
     * epoch; it has raised nothing yet.
     */
    public boolean preVoting() {
        return role == Role.PASSIVE && preVote.running();
    }

    /** The server believed to lead, or 0 when unknown. */
    public int leaderHint() {
        return leaderHint;
    }

    public long firstUnfinalizedSlot() {
        return acceptor.log().firstUnfinalizedSlot();
    }

    public long lastUsedSlot() {
        return acceptor.log().lastUsedSlot();
    }

    public long appliedSlot() {
        return appliedSlot;
    }

    /**
     * While leading, each other server's first unfinalized slot as it last reported it (a lower bound of
     * its real one), by id; empty otherwise: only a leader hears it. For status pages (lag).
     */
    public java.util.Map<Integer, Long> peerFirstUnfinalizedSlots() {
        return role == Role.LEADER ? leader.peerFirstUnfinalizedSlots() : java.util.Map.of();
    }

    /**
     * While leading, the last slot an earlier leader may have used as far as the takeover knows (it
     * grows with promises until the takeover is done); -1 otherwise. For the simulator's checks.
     */
    public long takeoverLastUsedSlot() {
        return role == Role.LEADER ? leader.takeoverLastUsedSlot() : -1;
    }

    /** Every slot up to this one is compacted into a snapshot (0 when none). */
    public long snapshotSlot() {
        return acceptor.log().snapshotSlot();
    }

    /** Entries held in memory above the snapshot: what the runtime watches to decide when to snapshot. */
    public int logSize() {
        return acceptor.log().size();
    }

    /** What this server holds for a slot, or null. */
    public Entry entry(long slot) {
        return acceptor.log().get(slot);
    }

    public long highestRoundSeen() {
        return highestRoundSeen;
    }

    public ReplicaConfig config() {
        return config;
    }

    /** The membership after the applied slot: the one the next change is checked against. */
    public Membership membership() {
        return memberships.latest();
    }

    /** Which membership governs which of the next slots; read it, do not apply to it. */
    public MembershipHistory memberships() {
        return memberships;
    }

    /** Freezes the core's part of a snapshot at the applied slot (docs/membership.md#snapshots). */
    public byte[] membershipSnapshot() {
        return memberships.encode();
    }

    // ---- Package-private services for the roles ----

    long now() {
        return now;
    }

    Outbox out() {
        return out;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    Parts parts() {
        return parts;
    }

    SnapshotTransfer transfer() {
        return transfer;
    }

    /**
     * Leader stickiness: whether a live leader (or a candidate's overthrow) was heard within the
     * minimum election timeout. A server that leads counts as hearing itself.
     */
    boolean heardFromLeaderRecently() {
        return role == Role.LEADER || now - leaderHeardAt < config.electionTimeoutMinMs();
    }

    // ---- Dispatch ----

    private void dispatch(Envelope envelope) {
        Message message = envelope.message();
        int from = envelope.from();
        if (message.kind() != MessageKind.PRE_OVERTHROW && message.kind() != MessageKind.PRE_OVERTHROW_REPLY) {
            // A pre-vote's epoch is one nobody used: it must not push anyone's next round up.
            noteEpoch(message.epoch());
        }
        // A switch expression, so the compiler checks that every kind is handled.
        Epoch promisedThere = switch (message.kind()) {
            case OVERTHROW -> {
                acceptor.overthrow(from, (Overthrow) message);
                yield heardFrom(message.epoch());
            }
            case STORE -> {
                acceptor.store(from, (Store) message);
                yield heardFrom(message.epoch());
            }
            case FINALIZE -> {
                acceptor.finalize(from, (Finalize) message);
                yield heardFrom(message.epoch());
            }
            case READ -> {
                acceptor.read(from, (Read) message);
                yield heardFrom(message.epoch());
            }
            case QUERY -> {
                acceptor.query(from, (Query) message);
                yield heardFrom(message.epoch());
            }
            // Not bound to a leader: the epoch of a snapshot message says nothing about leadership.
            case SNAPSHOT_REQUEST -> {
                transfer.serve(from, (SnapshotRequest) message);
                yield null;
            }
            case SNAPSHOT_CHUNK -> {
                Snapshot complete = transfer.receive(from, (SnapshotChunk) message);
                if (complete != null) {
                    install(complete);
                }
                yield null;
            }
            // Not from a leader either: the asker promised nothing and may never win. Answering
            // changes nothing here: no promise, no timer, no leader hint.
            case PRE_OVERTHROW -> {
                PreOverthrow request = (PreOverthrow) message;
                Epoch promisedBefore = acceptor.promised();
                if (preVote.yieldsTo(request)) {
                    heardFrom(request.epoch()); // only a deliberately broken rule does this
                }
                preVote.answer(from, request);
                if (!acceptor.promised().equals(promisedBefore)) {
                    throw new AssertionError("server " + config.selfId() + " changed its promise from " + promisedBefore
                            + " to " + acceptor.promised() + " answering " + request);
                }
                yield null;
            }
            case PRE_OVERTHROW_REPLY -> {
                preOverthrowReply(from, (PreOverthrowReply) message);
                yield null;
            }
            case OVERTHROW_OK, STORE_OK -> message.epoch(); // the sender promised exactly that epoch
            case REJECTED -> ((Rejected) message).promised();
            case FINALIZE_REPLY -> ((FinalizeReply) message).promised();
            case READ_REPLY -> ((ReadReply) message).promised();
            case QUERY_REPLY -> ((QueryReply) message).promised();
        };
        if (promisedThere != null) {
            reply(from, message, promisedThere);
        }
        Epoch own = ownEpoch();
        if (own != null && acceptor.promised().isAbove(own)) {
            // Every request that raises our promise above our own epoch passed through heardFrom.
            throw new AssertionError("server " + config.selfId() + " still leads at " + own + " after promising "
                    + acceptor.promised());
        }
    }

    /**
     * A reply: it tells us the sender's promise. Above our own epoch means someone overthrew us:
     * become passive at once (docs/protocol.md#stepping-down-on-a-higher-epoch). Otherwise a reply to
     * our current epoch goes to the role in charge, and counts as the sender acknowledging our leadership.
     */
    private void reply(int from, Message message, Epoch promisedThere) {
        noteEpoch(promisedThere);
        Epoch own = ownEpoch();
        if (own != null && promisedThere.isAbove(own)) {
            if (leader == null || leader.yieldsTo(promisedThere)) {
                stepDown(promisedThere);
            }
            return;
        }
        if (own == null) {
            return;
        }
        if (!message.epoch().equals(own)) {
            return; // answers an attempt of ours that is over
        }
        if (candidate != null) {
            if (message.kind() == MessageKind.OVERTHROW_OK) {
                candidate.overthrowOk(from, (OverthrowOk) message);
            }
            return;
        }
        toLeader(from, message);
    }

    /**
     * Hands a reply at our epoch to the leader. A switch expression, so that a new message kind does
     * not compile until someone decides here what a leader does with it.
     *
     * @return whether the leader acted on it
     */
    private boolean toLeader(int from, Message message) {
        return switch (message.kind()) {
            case OVERTHROW_OK -> {
                leader.overthrowOk(from, (OverthrowOk) message);
                yield true;
            }
            case STORE_OK -> {
                leader.storeOk(from, (StoreOk) message);
                yield true;
            }
            case FINALIZE_REPLY -> {
                leader.finalizeReply(from, (FinalizeReply) message);
                yield true;
            }
            case READ_REPLY -> {
                leader.readReply(from, (ReadReply) message);
                yield true;
            }
            case QUERY_REPLY -> {
                leader.queryReply(from, (QueryReply) message);
                yield true;
            }
            // Carries a promise at or below our epoch (a higher one made us step down in reply()): it
            // answers a request of ours that an earlier step of this same epoch superseded.
            case REJECTED -> false;
            // dispatch() hands reply() only the kinds that carry the sender's promise.
            case OVERTHROW, STORE, FINALIZE, READ, QUERY, SNAPSHOT_REQUEST, SNAPSHOT_CHUNK, PRE_OVERTHROW,
                    PRE_OVERTHROW_REPLY ->
                    throw new AssertionError("server " + config.selfId() + " took " + message.kind()
                            + " from " + from + " for a reply");
        };
    }

    /**
     * An answer to a pre-vote. Like every reply it carries the sender's promise, and a promise above our
     * own epoch ends our leadership or candidacy. It is never an acknowledgement of a leader, even when
     * its epoch happens to equal ours. A grant says the promise is not above what we asked, so it is
     * not noted as a round seen (that would push our overthrow a round past what was granted).
     */
    private void preOverthrowReply(int from, PreOverthrowReply reply) {
        if (!reply.granted()) {
            noteEpoch(reply.promised());
        }
        Epoch own = ownEpoch();
        if (own != null && reply.promised().isAbove(own)) {
            if (leader == null || leader.yieldsTo(reply.promised())) {
                stepDown(reply.promised());
            }
            return;
        }
        if (role == Role.PASSIVE && preVote.reply(from, reply)) {
            startOverthrow();
        }
    }

    /**
     * A request at {@code epoch}: if it is at least our promise, a leader (or candidate) is alive.
     * Returns null: a request carries no promise of its sender for {@link #reply} to act on.
     */
    private Epoch heardFrom(Epoch epoch) {
        if (epoch.isBelow(acceptor.promised()) || epoch.serverId() == config.selfId()) {
            return null;
        }
        Epoch own = ownEpoch();
        if (own != null && epoch.isAbove(own)) {
            stepDown(epoch);
        }
        leaderHeardAt = now;
        if (role == Role.PASSIVE) {
            preVote.cancel(); // someone leads, or is about to: no reason to replace it
            electionDeadline = now + randomElectionTimeout();
            leaderHint = epoch.serverId();
        }
        return null;
    }

    private void noteEpoch(Epoch epoch) {
        highestRoundSeen = Math.max(highestRoundSeen, epoch.round());
    }

    // ---- Role changes ----

    /**
     * The election timeout passed without a leader (passive), or without a majority's promises
     * (candidate): ask in a pre-vote whether a new epoch would be promised, and raise it only then.
     */
    private void campaign() {
        if (!memberships.involvedVoters().contains(config.selfId())) {
            // A learner, or a server the membership no longer has: it must not stand (its votes would
            // count for nothing, and its epochs would only disturb the voters).
            role = Role.PASSIVE;
            candidate = null;
            leaderHint = 0; // no leader heard for a whole timeout: pointing clients at it would send them in circles
            electionDeadline = now + randomElectionTimeout();
            return;
        }
        if (!preVote.required()) {
            startOverthrow();
            return;
        }
        candidate = null;
        role = Role.PASSIVE;
        leaderHint = 0; // no leader heard for a whole timeout: pointing clients at it would send them in circles
        electionDeadline = now + randomElectionTimeout();
        if (preVote.begin(nextEpoch())) {
            startOverthrow(); // a cluster of one
        }
    }

    /** The epoch an overthrow would use now: above every round seen and our own promise. */
    private Epoch nextEpoch() {
        return new Epoch(Math.max(highestRoundSeen, acceptor.promised().round()) + 1, config.selfId());
    }

    /** Raises the epoch and sends overthrow: only once a pre-vote won (unless a broken rule skips it). */
    private void startOverthrow() {
        if (leader != null) {
            throw new AssertionError("a leader does not start an overthrow");
        }
        preVote.cancel();
        Epoch epoch = nextEpoch();
        long round = epoch.round();
        highestRoundSeen = round;
        role = Role.CANDIDATE;
        leaderHint = 0;
        candidate = new Candidate(this, epoch);
        electionDeadline = now + randomElectionTimeout();
        candidate.begin();
    }

    /**
     * Called by the candidate once a majority, itself included, promised its epoch.
     *
     * @param snapshotSlots the snapshot slot each promising server reported, where above 0
     */
    void becomeLeader(Epoch epoch, java.util.Set<Integer> acked, long lastUsedSlot, Map<Integer, Long> snapshotSlots) {
        // Leading at an epoch other than the one this candidate collected promises for would lead
        // without a majority's promise of it, and its stores could replace a command another leader
        // got chosen: check it always, not only under -ea.
        if (candidate == null || !candidate.epoch().equals(epoch)) {
            throw new AssertionError("server " + config.selfId() + " becomes leader at " + epoch
                    + " but its candidate is " + (candidate == null ? "gone" : "at " + candidate.epoch()));
        }
        candidate = null;
        role = Role.LEADER;
        leaderHint = config.selfId();
        leader = parts.newLeader(this, epoch, acked, lastUsedSlot);
        snapshotSlots.forEach(leader::snapshotReported);
        leader.begin();
    }

    /**
     * A verified snapshot from another server, ahead of our first unfinalized slot: its slots are
     * chosen, so drop ours, take its state as applied, and serve it from now on.
     */
    private void install(Snapshot snapshot) {
        long slot = snapshot.slot();
        if (slot < acceptor.log().firstUnfinalizedSlot() || slot <= appliedSlot) {
            throw new AssertionError("installing snapshot " + slot + " that is not ahead of " + this);
        }
        MembershipHistory installed = membershipsOf(snapshot);
        acceptor.log().compactThrough(slot);
        appliedSlot = slot;
        memberships = installed;
        transfer.hold(snapshot);
        out.install(snapshot);
        if (leader != null) {
            leader.snapshotInstalled(slot);
        }
    }

    /** Become passive: a higher epoch exists, or (leader) a majority stopped answering. */
    void stepDown(Epoch seen) {
        int hint = seen != null && seen.serverId() != config.selfId() ? seen.serverId() : 0;
        if (leader != null) {
            leader.abandon(hint);
        }
        leader = null;
        candidate = null;
        preVote.cancel();
        role = Role.PASSIVE;
        leaderHint = hint;
        electionDeadline = now + randomElectionTimeout();
    }

    // ---- End of step ----

    private Effects finish() {
        do {
            Envelope local;
            while ((local = out.pollLocal()) != null) {
                dispatch(local);
            }
            applyFinalized();
            if (leader != null) {
                leader.flush();
            }
        } while (out.cutBatch());
        return out.drain();
    }

    private void applyFinalized() {
        EntryLog log = acceptor.log();
        while (log.isFinalized(appliedSlot + 1)) {
            long slot = ++appliedSlot;
            long requestId = leader != null ? leader.takeWaiting(slot) : 0;
            io.paxlog.api.Command command = log.get(slot).command();
            MembershipChange.Result change = memberships.apply(slot, command);
            out.apply(new Apply(slot, command, requestId, change));
            if (change != null && change.applied() && leader != null) {
                leader.membershipChanged(slot);
            }
        }
    }

    /** The membership history a snapshot carries; it must be at the snapshot's slot. */
    private MembershipHistory membershipsOf(Snapshot snapshot) {
        MembershipHistory history = CoreSnapshot.split(snapshot.data()).memberships();
        if (history == null) {
            return MembershipHistory.seedAt(config.seedMembership(), snapshot.slot());
        }
        if (history.appliedSlot() != snapshot.slot()) {
            throw new IllegalArgumentException("the snapshot at slot " + snapshot.slot()
                    + " carries the membership history of slot " + history.appliedSlot());
        }
        return history;
    }

    private long randomElectionTimeout() {
        return random.nextLong(config.electionTimeoutMinMs(), config.electionTimeoutMaxMs() + 1);
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("call start() first");
        }
    }

    @Override
    public String toString() {
        return "server " + config.selfId() + " " + role + " promised=" + acceptor.promised()
                + " firstUnfinalized=" + firstUnfinalizedSlot() + " applied=" + appliedSlot
                + (snapshotSlot() > 0 ? " snapshot=" + snapshotSlot() : "") + " " + memberships.latest();
    }
}
