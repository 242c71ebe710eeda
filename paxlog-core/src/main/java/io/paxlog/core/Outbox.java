package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Collects the effects of one step and enforces Rule D (docs/protocol.md#rule-d): a message whose kind
 * promises durable state can only be sent through {@link #sendAfterDurable}, which holds it until every
 * write issued before it was reported durable.
 *
 * <p>Messages to this server itself never leave: they go to the local inbox that {@link Replica}
 * drains within the same step, so the server takes part in its own quorums exactly like a peer
 * (docs/protocol.md#a-server-is-its-own-peer).
 *
 * <p>Not final only so that tests can break Rule D ({@link #mayRelease}) through {@link Parts}.
 */
class Outbox {

    private record Held(long barrier, Envelope envelope) {}

    private final int selfId;

    // The write being assembled in this step.
    private Epoch promisedWrite;
    private final List<StoredEntry> entryWrites = new ArrayList<>();
    private final List<Long> finalizeWrites = new ArrayList<>();

    // Effects of this step.
    private final List<PersistBatch> persist = new ArrayList<>();
    private final List<Envelope> send = new ArrayList<>();
    private final List<Apply> apply = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private final List<Long> reads = new ArrayList<>();
    private final List<Envelope> afterDurableThisStep = new ArrayList<>();
    private Snapshot install;

    // Across steps.
    private final ArrayDeque<Envelope> localInbox = new ArrayDeque<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long lastIssuedBatch = 0;
    private long lastDurableBatch = 0;

    Outbox(int selfId) {
        this.selfId = selfId;
    }

    void writePromised(Epoch promised) {
        promisedWrite = promised;
    }

    void writeEntry(StoredEntry entry) {
        entryWrites.add(entry);
    }

    void writeFinalized(long slot) {
        finalizeWrites.add(slot);
    }

    /** Sends a message that promises nothing; may leave at once. */
    void send(int to, Message message) {
        if (message.kind().promisesDurableState()) {
            throw new AssertionError("Rule D: " + message.kind() + " may only be sent after a durable write");
        }
        route(new Envelope(selfId, to, message));
    }

    /** Sends a message once every write issued so far (this step's included) is durable. */
    void sendAfterDurable(int to, Message message) {
        afterDurableThisStep.add(new Envelope(selfId, to, message));
    }

    void apply(Apply applied) {
        apply.add(applied);
    }

    /** A snapshot from another server replaces the state; see {@link Effects#install}. */
    void install(Snapshot snapshot) {
        for (Apply applied : apply) {
            if (applied.slot() > snapshot.slot()) {
                throw new AssertionError("slot " + applied.slot() + " applied before the snapshot at " + snapshot.slot());
            }
        }
        install = snapshot;
    }

    /** A read may be answered from the local state now. */
    void readReady(long requestId) {
        reads.add(requestId);
    }

    void refuse(Refusal refusal) {
        refusals.add(refusal);
    }

    Envelope pollLocal() {
        return localInbox.poll();
    }

    /**
     * Ends the write of this step: issues it as a batch if anything was written, and releases or
     * holds the messages that wait for it. Returns true when messages to self became deliverable.
     */
    boolean cutBatch() {
        if (promisedWrite != null || !entryWrites.isEmpty() || !finalizeWrites.isEmpty()) {
            lastIssuedBatch++;
            persist.add(new PersistBatch(lastIssuedBatch, promisedWrite, entryWrites, finalizeWrites));
            promisedWrite = null;
            entryWrites.clear();
            finalizeWrites.clear();
        }
        for (Envelope envelope : afterDurableThisStep) {
            if (mayRelease(lastIssuedBatch)) {
                route(envelope);
            } else {
                held.add(new Held(lastIssuedBatch, envelope));
            }
        }
        afterDurableThisStep.clear();
        return !localInbox.isEmpty();
    }

    /** Storage reported batches up to {@code batchId} durable: release what waited for them. */
    void durable(long batchId) {
        if (batchId > lastIssuedBatch) {
            throw new AssertionError("batch " + batchId + " reported durable but only " + lastIssuedBatch + " issued");
        }
        if (batchId <= lastDurableBatch) {
            return; // reported twice; harmless
        }
        lastDurableBatch = batchId;
        Iterator<Held> it = held.iterator();
        while (it.hasNext()) {
            Held h = it.next();
            if (!mayRelease(h.barrier())) {
                break; // barriers are non-decreasing along the queue
            }
            it.remove();
            route(h.envelope());
        }
    }

    /**
     * Rule D: whether a message that waits for batch {@code barrier} (the last one issued when it was
     * sent) may leave, which is once that batch, and so every earlier one, was reported durable. A
     * method of its own only so that a test can break the rule.
     */
    boolean mayRelease(long barrier) {
        return barrier <= lastDurableBatch;
    }

    Effects drain() {
        // Replica.finish() cuts the batch and empties the local inbox before it drains; anything left
        // means a step ended half done (a reply not yet placed behind its barrier, a message to self not
        // yet handled), and the effects would not be what the step decided. Cheap: check it always.
        if (!afterDurableThisStep.isEmpty() || !localInbox.isEmpty()) {
            throw new AssertionError("effects drained before the step finished: " + afterDurableThisStep.size()
                    + " replies waiting for a barrier, " + localInbox.size() + " messages to self undelivered");
        }
        if (persist.isEmpty() && send.isEmpty() && apply.isEmpty() && refusals.isEmpty() && reads.isEmpty()
                && install == null) {
            return Effects.NONE;
        }
        Effects effects = new Effects(persist, send, apply, refusals, reads, install);
        reads.clear();
        install = null;
        persist.clear();
        send.clear();
        apply.clear();
        refusals.clear();
        return effects;
    }

    private void route(Envelope envelope) {
        if (envelope.to() == selfId) {
            localInbox.add(envelope);
        } else {
            send.add(envelope);
        }
    }
}
