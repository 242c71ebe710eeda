package io.paxlog.api.service;

import io.paxlog.api.Epoch;
import java.util.List;

/**
 * What a service's leader does by its own clock, besides answering clients: for example the lock
 * service's expiry, which proposes {@code expire} for a lease whose ttl ran out. A duty never changes
 * the state itself; it proposes commands, which take effect only once chosen in the log, on every
 * server at the same slot.
 *
 * <p>The runtime owns who proposes as whom: it submits each payload {@link #tick} returns as a command
 * of an internal client whose id is reserved for this leadership term (so sequences are never reused
 * across terms, servers or restarts), and nobody waits for the answers. A duty that needs a proposal to
 * take effect proposes it again on a later tick while it is still due.
 *
 * <p>Thread: the one that owns the state machine, between two steps of the core. Time is a value passed
 * in (milliseconds of a monotonic clock, or the simulator's), never read.
 */
public interface LeaderDuties {

    LeaderDuties NONE = (leading, nowMs) -> List.of();

    /**
     * Called once per tick, after the core stepped. {@code leading} is the epoch this server leads at, or
     * null when it does not lead: then it must propose nothing and forget what it noted while leading (a
     * new term starts afresh). Returns the payloads of the commands to propose now, in a deterministic
     * order.
     */
    List<byte[]> tick(Epoch leading, long nowMs);

    /**
     * The answer to a read-only {@code query} that read-index just proved current: {@code result} as the
     * state machine gave it, or a decorated copy (the lock service adds the remaining ttl its leader will
     * still allow). {@code leading} as for {@link #tick}. Default: unchanged.
     */
    default byte[] decorateRead(Epoch leading, byte[] query, byte[] result, long nowMs) {
        return result;
    }
}
