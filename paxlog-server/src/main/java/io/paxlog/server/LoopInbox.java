package io.paxlog.server;

import io.paxlog.api.message.Envelope;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.CommandAnswer.Status;
import io.paxlog.core.runtime.ReplyChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What other threads hand the loop thread of one server: bounded queues of peer messages and client
 * calls, and the highest durable batch and saved snapshot the storage thread reported. Nothing here
 * ever blocks the caller: a full peer queue drops the message (the protocol re-sends), a full client
 * queue answers {@link Status#BUSY} at once, and once the loop has ended every call is answered ERROR.
 *
 * <p>Threads: {@code offer*} and the storage callbacks from any thread; {@code drain*}, {@code take*}
 * from the loop thread only. {@code wake} unparks the loop thread.
 */
final class LoopInbox {

    /** A client's call: a command, a read-only query, a register or a keep-alive ({@code clientId} its session). */
    record Call(Kind kind, long clientId, long sequence, byte[] payload, ReplyChannel reply) {
        enum Kind {
            COMMAND,
            READ,
            REGISTER,
            KEEP_ALIVE
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LoopInbox.class);

    private final int selfId;
    private final int clientQueueMax;
    private final Runnable wake;
    private final ArrayBlockingQueue<Envelope> peers;
    private final ArrayBlockingQueue<Call> calls;
    private final AtomicLong durableUpTo = new AtomicLong();
    private final AtomicLong snapshotSavedAt = new AtomicLong();
    private final AtomicLong peerMessagesDropped = new AtomicLong();
    private final AtomicLong clientCallsBusy = new AtomicLong();
    /** Set once the loop took its last call: later calls are answered here. */
    private volatile boolean closed;

    LoopInbox(int selfId, int peerQueueMax, int clientQueueMax, Runnable wake) {
        this.selfId = selfId;
        this.clientQueueMax = clientQueueMax;
        this.wake = wake;
        this.peers = new ArrayBlockingQueue<>(peerQueueMax);
        this.calls = new ArrayBlockingQueue<>(clientQueueMax);
    }

    void offerPeer(Envelope envelope) {
        if (peers.offer(envelope)) {
            wake.run();
        } else {
            peerMessagesDropped.incrementAndGet();
        }
    }

    void offerCall(Call call) {
        if (closed) {
            answer(call.reply(), stopped());
            return;
        }
        if (!calls.offer(call)) {
            clientCallsBusy.incrementAndGet();
            answer(call.reply(), CommandAnswer.refused(Status.BUSY, 0, "server " + selfId + " has "
                    + clientQueueMax + " calls waiting; retry later"));
            return;
        }
        wake.run();
        if (closed) {
            // Raced with the loop's last drain, which may have run before our offer.
            answerQueued();
        }
    }

    void durable(long batchId) {
        durableUpTo.accumulateAndGet(batchId, Math::max);
        wake.run();
    }

    void snapshotSaved(long slot) {
        snapshotSavedAt.accumulateAndGet(slot, Math::max);
        wake.run();
    }

    long durableUpTo() {
        return durableUpTo.get();
    }

    long snapshotSavedAt() {
        return snapshotSavedAt.get();
    }

    void drainPeers(List<Envelope> into, int max) {
        peers.drainTo(into, max);
    }

    void drainCalls(List<Call> into, int max) {
        calls.drainTo(into, max);
    }

    boolean isEmpty() {
        return peers.isEmpty() && calls.isEmpty();
    }

    int peerDepth() {
        return peers.size();
    }

    int callDepth() {
        return calls.size();
    }

    long peerMessagesDropped() {
        return peerMessagesDropped.get();
    }

    long clientCallsBusy() {
        return clientCallsBusy.get();
    }

    /** The loop took its last call: answers what is queued, and every later call, ERROR. */
    void close() {
        closed = true; // before the drain: a call offered after it sees the flag and drains itself
        answerQueued();
    }

    private void answerQueued() {
        List<Call> left = new ArrayList<>();
        calls.drainTo(left);
        left.forEach(call -> answer(call.reply(), stopped()));
    }

    CommandAnswer stopped() {
        return CommandAnswer.refused(Status.ERROR, 0, "server " + selfId + " is stopping; the outcome is unknown");
    }

    /** Hands {@code answer} over; a failing network layer cannot turn it into a failure of the loop. */
    void answer(ReplyChannel channel, CommandAnswer answer) {
        try {
            channel.answer(answer);
        } catch (RuntimeException e) {
            LOG.warn("server {}: a reply channel failed to take {}", selfId, answer, e);
        }
    }
}
