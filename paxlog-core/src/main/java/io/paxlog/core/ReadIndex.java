package io.paxlog.core;

import io.paxlog.api.message.Query;
import java.util.ArrayDeque;

/**
 * Linearizable reads without writing to the log (docs/protocol.md#read-index-reads):
 * a read arriving at the leader notes the finalized prefix {@code F} (every slot below the first
 * unfinalized one), waits for a majority, the leader included, to answer a query round sent after it
 * arrived (so no other leader can have been established before the read began), and waits until
 * {@code F} is applied. Then the runtime answers it from the local state.
 *
 * <p>A leader serves reads only once a command of its own epoch is chosen and its takeover is done:
 * before that it may not know every command an earlier leader had acknowledged. Reads arriving
 * earlier wait. A leader that steps down refuses every read it holds.
 *
 * <p>Thread: owned by the thread that steps its {@link Replica}.
 */
class ReadIndex {

    private record Pending(long requestId, long readSlot, long round) {}

    protected final Leader leader;
    private final ArrayDeque<Long> waitingToServe = new ArrayDeque<>();
    /** In arrival order, so rounds and read slots never decrease along the queue. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The last query round sent; every query the leader sends starts a new one. */
    private long round;
    /**
     * When recent rounds were sent, oldest first: {round, time}. Check-quorum asks whether a majority
     * answered a round sent lately, not merely whether answers arrived lately: an answer can be old
     * (delayed on its way), and counting it by its arrival kept a leader that hears nothing new leading.
     */
    private final ArrayDeque<long[]> sentAt = new ArrayDeque<>();

    ReadIndex(Leader leader) {
        this.leader = leader;
    }

    void request(long requestId) {
        waitingToServe.add(requestId);
    }

    /** Sends a query round to every peer: a heartbeat, or a round that confirms reads. */
    void sendRound() {
        round++;
        long now = leader.replica().now();
        sentAt.addLast(new long[] {round, now});
        long keepAfter = now - 2 * leader.replica().config().electionTimeoutMaxMs();
        while (sentAt.size() > 1 && sentAt.peekFirst()[1] < keepAfter) {
            sentAt.pollFirst();
        }
        for (int peer : leader.peerIds()) {
            leader.replica().out().send(peer, new Query(leader.epoch(), round));
        }
    }

    /** End of step: admit waiting reads, start a round for new ones, answer those that are ready. */
    void flush() {
        if (!waitingToServe.isEmpty() && !leader.servesReads()) {
            leader.needOwnCommand();
        }
        if (!waitingToServe.isEmpty() && leader.servesReads()) {
            long readSlot = leader.replica().firstUnfinalizedSlot() - 1;
            for (long requestId : waitingToServe) {
                pending.add(new Pending(requestId, readSlot, round + 1));
            }
            waitingToServe.clear();
            sendRound();
        }
        Replica replica = leader.replica();
        while (!pending.isEmpty()) {
            Pending next = pending.peek();
            if (!confirmed(next.round()) || replica.appliedSlot() < next.readSlot()) {
                break;
            }
            pending.poll();
            replica.out().readReady(next.requestId());
        }
    }

    /**
     * When round {@code r} was sent, or {@link Long#MIN_VALUE} when it is too old to be remembered (or
     * was never sent): either way, not recent.
     */
    long sentAt(long r) {
        for (long[] sent : sentAt) {
            if (sent[0] == r) {
                return sent[1];
            }
        }
        return Long.MIN_VALUE;
    }

    /** Whether a majority, ourselves included, answered round {@code r} or a later one at our epoch. */
    boolean confirmed(long r) {
        // A majority of every membership governing a slot this leader could propose next: any leader
        // established since needed one of those (docs/membership.md#reads).
        return leader.isQuorumAhead(leader.acknowledgedRound(r));
    }

    /** The leader lost its leadership: every read it holds goes elsewhere. */
    void abandon(int leaderHint) {
        for (long requestId : waitingToServe) {
            leader.replica().out().refuse(new Refusal(requestId, Refusal.Reason.NOT_LEADER, leaderHint));
        }
        for (Pending read : pending) {
            leader.replica().out().refuse(new Refusal(read.requestId(), Refusal.Reason.NOT_LEADER, leaderHint));
        }
        waitingToServe.clear();
        pending.clear();
    }
}
