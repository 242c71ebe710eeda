package io.paxlog.core;

import io.paxlog.api.message.Envelope;
import io.paxlog.api.storage.PersistBatch;
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
 */
public record Effects(List<PersistBatch> persist, List<Envelope> send, List<Apply> apply, List<Refusal> refusals) {

    public static final Effects NONE = new Effects(List.of(), List.of(), List.of(), List.of());

    public Effects {
        persist = List.copyOf(persist);
        send = List.copyOf(send);
        apply = List.copyOf(apply);
        refusals = List.copyOf(refusals);
    }

    public boolean isEmpty() {
        return persist.isEmpty() && send.isEmpty() && apply.isEmpty() && refusals.isEmpty();
    }
}
