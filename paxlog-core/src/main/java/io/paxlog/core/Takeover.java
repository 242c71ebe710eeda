package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotState;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * docs/protocol.md#step-4-read-and-re-propose: for every slot from the leader's first unfinalized slot up
 * to {@code lastUsedSlot} (the highest slot a majority reported), read it from a majority of servers
 * that acknowledged this leader's overthrow, pick the command that may have been chosen, and store it
 * under the new epoch. Reads go in chunks of {@code readSlotsMax} slots, one chunk at a time.
 *
 * <p>Only servers that acknowledged overthrow(e) may be read: any other server may still accept an
 * older leader's store after answering, so reading it can miss a command that is being chosen.
 *
 * <p>Snapshots: a server that compacted slots we have not finalized cannot report their commands,
 * only that they are chosen. When any server reports a snapshot at or above our first unfinalized
 * slot (in its overthrow answer or a read answer), reading stops, we fetch that snapshot, install it,
 * and read again from above it. Never fill such a slot from the other answers: absent there does not
 * mean empty (docs/protocol.md#a-compacted-slot-is-never-reported-empty).
 *
 * <p>Membership (docs/membership.md#takeover). Each slot is read from a majority of the membership that
 * governs it, among servers that promised our epoch; a slot is read only once that membership is known
 * (at most alpha slots above our finalized prefix), so a deep takeover goes window by window, each
 * waiting for the previous one's re-proposals to be chosen. {@code lastUsedSlot} grows with every
 * promise (a server of a newer membership reports slots the first majority never saw). The takeover is
 * done once every slot up to it is finalized here and the promisers hold a majority of every
 * membership governing the alpha slots after it: then no earlier leader can have chosen, or can still
 * choose, a slot above it. Both the read quorum of every re-proposed slot and the final condition are
 * checked always ({@link #verifyQuorum}).
 */
class Takeover {

    protected final Leader leader;
    /** The highest slot any server that promised our epoch reported using; grows with later promises. */
    protected long lastUsedSlot;
    private long chunkFrom;
    private long chunkTo;
    /** Whether reads of {@code chunkFrom..chunkTo} are out and not yet answered by enough servers. */
    private boolean chunkOut;
    private final Map<Integer, ReadReply> replies = new HashMap<>();
    /** The snapshot slot each server reported, where above 0. */
    private final Map<Integer, Long> snapshotSlots = new HashMap<>();
    private boolean fetching;
    private long fetchStartedAt;
    private boolean done;

    Takeover(Leader leader, long lastUsedSlot) {
        this.leader = leader;
        this.lastUsedSlot = lastUsedSlot;
    }

    boolean done() {
        return done;
    }

    long lastUsedSlot() {
        return lastUsedSlot;
    }

    void begin() {
        chunkFrom = leader.replica().firstUnfinalizedSlot();
        if (!fetchIfBehind()) {
            next();
        }
    }

    void snapshotReported(int server, long slot) {
        if (slot > 0) {
            snapshotSlots.merge(server, slot, Math::max);
        }
    }

    /** Our replica installed a snapshot: read again from above it, or fetch a newer one still. */
    void snapshotInstalled() {
        if (!fetching || fetchIfBehind()) {
            return;
        }
        fetching = false;
        chunkOut = false;
        next();
    }

    /**
     * Fetches the newest snapshot reported when it covers a slot we have not finalized. Returns whether
     * a fetch is under way.
     */
    private boolean fetchIfBehind() {
        if (done) {
            return false;
        }
        long needed = leader.replica().firstUnfinalizedSlot();
        int best = 0;
        long bestSlot = 0;
        for (Map.Entry<Integer, Long> reported : snapshotSlots.entrySet()) {
            if (reported.getValue() >= needed && reported.getValue() > bestSlot) {
                best = reported.getKey();
                bestSlot = reported.getValue();
            }
        }
        if (best == 0) {
            return false;
        }
        if (!fetching) {
            fetching = true;
            chunkOut = false;
            fetchStartedAt = leader.replica().now();
            replies.clear();
        }
        leader.replica().transfer().fetch(best, bestSlot);
        return true;
    }

    /**
     * A server promised our epoch after the leader took over: it can be read too, and the slots it
     * used count toward the last slot an earlier leader may have used.
     */
    void overthrowAcked(int server, long serverLastUsedSlot) {
        if (!done) {
            lastUsedSlot = Math.max(lastUsedSlot, serverLastUsedSlot);
        }
        if (chunkOut && !replies.containsKey(server)) {
            sendRead(server);
        }
    }

    /** Re-sends the current read to eligible servers that have not answered (messages get lost). */
    void resend() {
        if (fetching) {
            if (leader.replica().now() - fetchStartedAt > 4 * leader.replica().config().electionTimeoutMaxMs()) {
                // No server we know of hands us the snapshot (the one that reported it crashed before
                // saving it, say): let an election start over with fresh reports rather than lead stuck.
                leader.replica().stepDown(null);
            } else {
                fetchIfBehind();
            }
            return;
        }
        if (!chunkOut) {
            return;
        }
        for (int server : readTargets()) {
            if (!replies.containsKey(server)) {
                sendRead(server);
            }
        }
    }

    void readReply(int from, ReadReply reply) {
        if (!chunkOut || reply.fromSlot() != chunkFrom || reply.toSlot() != chunkTo || !readEligible(from)) {
            return;
        }
        if (reply.coversCompacted()) {
            snapshotReported(from, reply.snapshotSlot());
            if (fetchIfBehind()) {
                return;
            }
        }
        replies.put(from, reply);
        // Slots of the chunk applied here since it was sent (a snapshot installed, say) need no quorum:
        // they are chosen and skipped below; their memberships may be pruned already.
        long open = Math.max(chunkFrom, leader.replica().appliedSlot() + 1);
        if (open <= chunkTo && !readQuorum(open, chunkTo, replies.keySet())) {
            return;
        }
        for (long slot = chunkFrom; slot <= chunkTo; slot++) {
            if (leader.replica().acceptor().log().isFinalized(slot)) {
                continue; // chosen and known here; catch-up spreads it
            }
            SlotState finalized = finalizedIn(slot);
            if (finalized != null) {
                // Finalized anywhere means chosen: learn it now rather than store it again under our
                // epoch and wait for a majority (step 4 of the protocol does the latter; both are
                // safe, this one spares a leader that was far behind a round trip per slot:
                // docs/protocol.md#learning-finalized-slots-at-takeover).
                leader.replica().acceptor().learnChosen(slot, finalized.acceptedEpoch(), finalized.command());
                continue;
            }
            verifyQuorum(slot, slot, replies.keySet(), "re-proposes slot " + slot + " read from");
            recover(slot, choose(slot));
        }
        chunkFrom = chunkTo + 1;
        chunkOut = false;
        replies.clear();
        next();
    }

    /** End of a step: starts the next read once it may, or finishes the takeover. */
    void continueIfRoom() {
        next();
    }

    /**
     * Starts the next chunk of reads: once the pipeline has room (a far-behind leader stays bounded)
     * and the membership governing its first slot is known (our earlier re-proposals are chosen).
     * Past the last used slot, finishes instead when it may.
     */
    private void next() {
        if (done || chunkOut || fetching) {
            return;
        }
        Replica replica = leader.replica();
        chunkFrom = Math.max(chunkFrom, replica.firstUnfinalizedSlot());
        if (chunkFrom > lastUsedSlot) {
            finishIfSafe();
            return;
        }
        long governed = replica.memberships().governedThrough();
        if (!leader.hasRoomForProposals() || chunkFrom > governed || fetchIfBehind()) {
            return;
        }
        chunkTo = Math.min(Math.min(lastUsedSlot, governed), chunkFrom + replica.config().readSlotsMax() - 1);
        chunkOut = true;
        replies.clear();
        for (int server : readTargets()) {
            sendRead(server);
        }
    }

    /**
     * Done once every slot up to {@code lastUsedSlot} is finalized here (so the memberships governing
     * the next alpha slots are known) and the promisers hold a majority of each: an earlier leader's
     * chosen slot above would need one of those majorities, and each of them would have reported it.
     */
    private void finishIfSafe() {
        Replica replica = leader.replica();
        if (replica.appliedSlot() < lastUsedSlot) {
            // Our re-proposals are not all chosen and applied yet (applied, not only finalized: the
            // memberships after L follow from the applied slots; learning finalizes before applying).
            return;
        }
        // From above the applied slot, which may be past L (a snapshot installed meanwhile): slots up to
        // it are chosen and known, and the argument runs from the first slot that is not.
        long from = replica.appliedSlot() + 1;
        long to = replica.memberships().governedThrough();
        if (!readQuorum(from, to, leader.overthrowAcked())) {
            return; // the stragglers are asked again every heartbeat
        }
        verifyQuorum(from, to, leader.overthrowAcked(), "ends its takeover at slot " + lastUsedSlot + " with promises of");
        done = true;
    }

    private SlotState finalizedIn(long slot) {
        for (ReadReply reply : replies.values()) {
            for (SlotState state : reply.slots()) {
                if (state.slot() == slot && state.finalized()) {
                    return state;
                }
            }
        }
        return null;
    }

    /** Stores the chosen (or no-op) command of a read slot under our epoch, so no hole is left. */
    void recover(long slot, Command command) {
        leader.propose(slot, command, 0);
    }

    /** The servers a read may go to: those that acknowledged overthrow(e). */
    Iterable<Integer> readTargets() {
        return leader.overthrowAcked();
    }

    /** Whether a read reply from this server may count. */
    boolean readEligible(int server) {
        return leader.overthrowAcked().contains(server);
    }

    /**
     * The rule: whether {@code servers} (all of which promised our epoch) hold a majority of every
     * membership governing slots {@code from..to}.
     */
    boolean readQuorum(long from, long to, Set<Integer> servers) {
        return leader.replica().memberships().isQuorumOfEach(from, to, servers);
    }

    /**
     * The invariant of docs/membership.md#takeover where it matters, checked always: a slot is
     * re-proposed, and the takeover ends, only on the word of a majority of every membership governing
     * the slots concerned. A failure is a bug; going on could choose a second command in a slot.
     */
    void verifyQuorum(long from, long to, Set<Integer> servers, String what) {
        MembershipHistory memberships = leader.replica().memberships();
        for (Membership membership : memberships.governingRange(from, to)) {
            if (!membership.isQuorum(servers) || !leader.overthrowAcked().containsAll(servers)) {
                throw new AssertionError("leader " + leader.epoch() + " " + what + " " + new TreeSet<>(servers)
                        + ", not a majority of the promisers of " + membership + " governing slots " + from + ".." + to);
            }
        }
    }

    /**
     * The command that may have been chosen in a slot: a finalized one if any server has it,
     * otherwise the one accepted at the highest epoch, otherwise a no-op.
     */
    Command choose(long slot) {
        SlotState best = null;
        for (ReadReply reply : replies.values()) {
            for (SlotState state : reply.slots()) {
                if (state.slot() != slot) {
                    continue;
                }
                if (state.finalized()) {
                    return state.command();
                }
                if (best == null || state.acceptedEpoch().isAbove(best.acceptedEpoch())) {
                    best = state;
                }
            }
        }
        return best == null ? Command.NOOP : best.command();
    }

    private void sendRead(int server) {
        Epoch epoch = leader.epoch();
        leader.replica().out().send(server, new Read(epoch, chunkFrom, chunkTo));
    }
}
