package io.paxlog.core;

import io.paxlog.api.message.Envelope;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.Snapshot;
import java.util.List;

/**
 * What the runtime must do after one step of the core, in this order:
 * <ol>
 *   <li>{@link #persist}: hand each batch to storage; call {@link Replica#persisted} when it is durable;
 *   <li>{@link #send}: send these messages now. Replies that depend on a write (Rule D) appear here
 *       only once that write was reported durable, so the runtime may send everything at once;
 *   <li>{@link #apply}: apply these finalized commands, in order, and answer the waiting requests;
 *   <li>{@link #refusals}: tell these clients their command was not taken.
 * </ol>
 *
 * <p>{@link #reads}: read requests that may now be answered from the local state, after this step's
 * applies (read-index: leadership confirmed and the finalized prefix at the read's arrival applied).
 *
 * <p>{@link #install}, when not null, is a snapshot received from another server that replaces the
 * state machine's state: apply the commands up to its slot, restore it, then apply the rest (every
 * command listed here is either at or below its slot, issued before it, or above it, issued after), and
 * save it to storage. The core already dropped the slots it covers.
 */
public record Effects(List<PersistBatch> persist, List<Envelope> send, List<Apply> apply, List<Refusal> refusals,
        List<Long> reads, Snapshot install) {

    public static final Effects NONE = new Effects(List.of(), List.of(), List.of(), List.of(), List.of(), null);

    public Effects {
        persist = List.copyOf(persist);
        send = List.copyOf(send);
        apply = List.copyOf(apply);
        refusals = List.copyOf(refusals);
        reads = List.copyOf(reads);
    }

    public boolean isEmpty() {
        return persist.isEmpty() && send.isEmpty() && apply.isEmpty() && refusals.isEmpty() && reads.isEmpty() && install == null;
    }
}
