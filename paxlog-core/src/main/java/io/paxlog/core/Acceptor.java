package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable half of every server: its promise and its entries, and the rules of the five RPCs
 * exactly as docs/protocol.md#rpcs states them. Every server runs one, the leader included; the
 * leader reaches its own acceptor through messages to itself.
 *
 * <p>Every change to {@code promised} or to an entry is written through the {@link Outbox}, and
 * every reply that depends on one leaves only after the write is durable (Rule D). Finalize marks are
 * written too but nothing waits for them: losing one is safe.
 *
 * <p>Invariant: {@code promised} never decreases.
 *
 * <p>Thread: owned by the thread that steps its {@link Replica}.
 */
class Acceptor {

    protected final EntryLog log = new EntryLog();
    protected final Outbox out;
    protected Epoch promised;

    Acceptor(Outbox out, RecoveredState recovered) {
        this.out = out;
        this.promised = recovered.promised();
        if (recovered.snapshot() != null) {
            log.compactThrough(recovered.snapshot().slot());
        }
        for (SlotState state : recovered.entries()) {
            log.put(state.slot(), new Entry(state.acceptedEpoch(), state.command(), state.finalized()));
        }
    }

    Epoch promised() {
        return promised;
    }

    EntryLog log() {
        return log;
    }

    /**
     * overthrow(e): promise e if it is not below what we promised; report the last used slot, and
     * the snapshot slot, below which we can no longer report commands.
     */
    void overthrow(int from, Overthrow request) {
        Epoch e = request.epoch();
        if (!acceptsOverthrow(e)) {
            out.send(from, new Rejected(e, promised, MessageKind.OVERTHROW));
            return;
        }
        raisePromise(e);
        out.sendAfterDurable(from, new OverthrowOk(e, log.lastUsedSlot(), reportedSnapshotSlot()));
    }

    /** store(e, slot, command) for each slot of the batch. */
    void store(int from, Store request) {
        Epoch e = request.epoch();
        if (!acceptsStore(e)) {
            out.send(from, new Rejected(e, promised, MessageKind.STORE));
            return;
        }
        raisePromise(e);
        List<Long> stored = new ArrayList<>(request.entries().size());
        for (SlotCommand proposal : request.entries()) {
            long slot = proposal.slot();
            Entry current = log.get(slot);
            if (log.isCompacted(slot)) {
                // Chosen, its command in our snapshot: a correct leader re-sends that very command, and
                // acknowledging a chosen slot again changes nothing that was decided.
            } else if (current != null && current.finalized()) {
                // A chosen slot cannot change; the only correct leader re-sends the chosen command
                // (docs/protocol.md#a-finalized-slot-never-changes).
                if (!current.command().equals(proposal.command())) {
                    throw new AssertionError("agreement: slot " + slot + " is finalized with "
                            + current.command() + " but " + from + " stores " + proposal.command() + " at " + e);
                }
            } else if (current == null || !current.epoch().equals(e) || !current.command().equals(proposal.command())) {
                log.put(slot, new Entry(e, proposal.command(), false));
                out.writeEntry(new StoredEntry(slot, e, proposal.command()));
            }
            stored.add(slot);
        }
        out.sendAfterDurable(from, new StoreOk(e, stored));
    }

    /** finalize(e, slot) for each slot: only when already finalized or accepted at exactly e. */
    void finalize(int from, Finalize request) {
        Epoch e = request.epoch();
        List<Long> finalized = new ArrayList<>();
        List<Long> missing = new ArrayList<>();
        for (long slot : request.slots()) {
            Entry current = log.get(slot);
            if (log.isFinalized(slot)) {
                finalized.add(slot);
            } else if (canFinalize(current, e)) {
                log.put(slot, current.finalizedCopy());
                out.writeFinalized(slot);
                finalized.add(slot);
            } else {
                missing.add(slot);
            }
        }
        out.send(from, new FinalizeReply(e, promised, finalized, missing, log.firstUnfinalizedSlot()));
    }

    /**
     * read(slots): what this server holds, so a new leader finds earlier leaders' commands. Compacted
     * slots are not listed but reported through the snapshot slot: "empty" would be a lie that lets a
     * leader fill a chosen slot with a no-op.
     */
    void read(int from, Read request) {
        List<SlotState> states = new ArrayList<>();
        long to = Math.min(request.toSlot(), log.lastUsedSlot());
        for (long slot = Math.max(request.fromSlot(), log.snapshotSlot() + 1); slot <= to; slot++) {
            Entry entry = log.get(slot);
            if (entry != null) {
                states.add(new SlotState(slot, entry.epoch(), entry.command(), entry.finalized()));
            }
        }
        // Reports entries, so they must be durable before the reply leaves.
        out.sendAfterDurable(from, new ReadReply(request.epoch(), promised, request.fromSlot(), request.toSlot(), states,
                reportedSnapshotSlot()));
    }

    /** query(): the lowest slot this server has not finalized. */
    void query(int from, Query request) {
        out.send(from, new QueryReply(request.epoch(), promised, log.firstUnfinalizedSlot(), request.round()));
    }

    /**
     * Records a command known to be chosen (some server holds it finalized) as finalized here, with
     * the epoch it was accepted at. Used by a new leader that reads a finalized slot it lacks.
     */
    void learnChosen(long slot, Epoch acceptedEpoch, io.paxlog.api.Command command) {
        if (log.isCompacted(slot)) {
            return;
        }
        Entry current = log.get(slot);
        if (current != null && current.finalized()) {
            if (!current.command().equals(command)) {
                throw new AssertionError("agreement: slot " + slot + " is finalized with " + current.command()
                        + " but a server reports " + command + " finalized");
            }
            return;
        }
        log.put(slot, new Entry(acceptedEpoch, command, true));
        out.writeEntry(new StoredEntry(slot, acceptedEpoch, command));
        out.writeFinalized(slot);
    }

    // ---- The rules, one method each, so tests can prove that breaking any one is caught. ----

    /** docs/protocol.md#overthrow: accept when {@code e >= promised} (equal: a duplicated message). */
    boolean acceptsOverthrow(Epoch e) {
        return !e.isBelow(promised);
    }

    /** docs/protocol.md#reject-below-promised: reject when {@code e < promised}. */
    boolean acceptsStore(Epoch e) {
        return !e.isBelow(promised);
    }

    /**
     * docs/protocol.md#finalize-only-at-the-accepted-epoch: never by slot alone; the accepted epoch must
     * be exactly e.
     */
    boolean canFinalize(Entry current, Epoch e) {
        return current != null && current.epoch().equals(e);
    }

    /**
     * The snapshot slot to report to a new leader: every slot up to it is chosen though we cannot say
     * with what. Reporting less would pass compacted slots off as empty.
     */
    long reportedSnapshotSlot() {
        return log.snapshotSlot();
    }

    /** Raises {@code promised} to e (durably); it never decreases. */
    void raisePromise(Epoch e) {
        if (e.isAbove(promised)) {
            promised = e;
            out.writePromised(e);
        }
    }
}
