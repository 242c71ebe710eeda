package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotState;
import java.util.HashMap;
import java.util.Map;

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
 */
class Takeover {

    protected final Leader leader;
    protected final long lastUsedSlot;
    private long chunkFrom;
    private long chunkTo;
    private final Map<Integer, ReadReply> replies = new HashMap<>();
    private boolean waitingForRoom;
    /** The snapshot slot each server reported, where above 0. */
    private final Map<Integer, Long> snapshotSlots = new HashMap<>();
    private boolean fetching;
    private long fetchStartedAt;

    Takeover(Leader leader, long lastUsedSlot) {
        this.leader = leader;
        this.lastUsedSlot = lastUsedSlot;
    }

    boolean done() {
        return chunkFrom > lastUsedSlot;
    }

    /** Whether a read round is out (as opposed to waiting for pipeline room, or done). */
    private boolean reading() {
        return !done() && !waitingForRoom && !fetching;
    }

    void begin() {
        if (!fetchIfBehind()) {
            startChunk(leader.replica().firstUnfinalizedSlot());
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
        startChunk(Math.max(chunkFrom, leader.replica().firstUnfinalizedSlot()));
    }

    /**
     * Fetches the newest snapshot reported when it covers a slot we have not finalized. Returns whether
     * a fetch is under way.
     */
    private boolean fetchIfBehind() {
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
            fetchStartedAt = leader.replica().now();
            replies.clear();
        }
        leader.replica().transfer().fetch(best, bestSlot);
        return true;
    }

    /** A server acknowledged the overthrow after the leader took over: it can be read too. */
    void overthrowAcked(int server) {
        if (reading() && !replies.containsKey(server)) {
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
        if (!reading()) {
            return;
        }
        for (int server : readTargets()) {
            if (!replies.containsKey(server)) {
                sendRead(server);
            }
        }
    }

    void readReply(int from, ReadReply reply) {
        if (!reading() || reply.fromSlot() != chunkFrom || reply.toSlot() != chunkTo || !readEligible(from)) {
            return;
        }
        if (reply.coversCompacted()) {
            snapshotReported(from, reply.snapshotSlot());
            if (fetchIfBehind()) {
                return;
            }
        }
        replies.put(from, reply);
        if (replies.size() < leader.replica().config().majority()) {
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
            recover(slot, choose(slot));
        }
        chunkFrom = chunkTo + 1;
        replies.clear();
        waitingForRoom = true;
        continueIfRoom();
    }

    /** Starts the next read once the pipeline has room, so a far-behind leader stays bounded. */
    void continueIfRoom() {
        if (waitingForRoom && leader.hasRoomForProposals()) {
            waitingForRoom = false;
            if (!fetchIfBehind()) {
                startChunk(Math.max(chunkFrom, leader.replica().firstUnfinalizedSlot()));
            }
        }
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

    private void startChunk(long from) {
        chunkFrom = from;
        replies.clear();
        if (done()) {
            return;
        }
        chunkTo = Math.min(lastUsedSlot, from + leader.replica().config().readSlotsMax() - 1);
        for (int server : readTargets()) {
            sendRead(server);
        }
    }

    private void sendRead(int server) {
        Epoch epoch = leader.epoch();
        leader.replica().out().send(server, new Read(epoch, chunkFrom, chunkTo));
    }
}
