package io.paxlog.lock;

import io.paxlog.api.Epoch;
import io.paxlog.api.service.LeaderDuties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The lock service's expiry scheduler (issue 5, "Expiry is decided through the log"): while this server
 * leads, it decides by its own monotonic clock when a lease has run out and proposes an
 * {@link LockCommands#expire(Lease) expire} naming that exact lease. No replica reads a clock while
 * applying; the {@link LockMachine} only removes the lease if it is still that lease (same token, same
 * renewed slot), so an expire decided before a renewal or a new grant reached the log does nothing.
 *
 * <h2>When a lease runs out</h2>
 * For each lease {@code (name, token, renewedSlot)} the scheduler notes the local time it first saw it
 * applied; {@code ttlMs} after that it proposes the expire. When this server becomes leader, every lease
 * already there counts as seen at that moment: after a leader change every holder gets a full ttl, because
 * the new leader cannot know how much of it the old leader had counted. Seeing a lease late only delays
 * its expiry, so observing once per loop tick (not at the instant of apply) errs on the holder's side. A
 * holder that renews before {@code ttlMs} passed on its own clock (which started before its acquire
 * reached the log, so before the leader saw it) is never expired.
 *
 * <h2>Who proposes</h2>
 * Only a leader, and only while it leads: {@link #tick} with a null epoch (or a different epoch) forgets
 * everything, and a new term starts from a full ttl again. The runtime submits each expire as a command
 * of its internal client for the term (the runtime's {@code Node} owns that client-id policy) and ignores
 * the results. An expire that did not take effect (refused as busy, lost with a leadership change) is
 * proposed again after {@code resendAfterMs} while the same lease is still there.
 *
 * <p>Thread: the server's loop thread only, between two steps of the core (it reads the machine).
 * Time is a value passed in, in milliseconds of a monotonic clock, so tests drive it without sleeping.
 */
public final class LockExpiry implements LeaderDuties {

    /** Default wait before an expire that did not take effect is proposed again. */
    static final long RESEND_AFTER_MS_DEFAULT = 1000;

    /** A lease as first seen, and when its expire was last proposed (-1: not yet). */
    private record Seen(long token, long renewedSlot, long ttlMs, long seenAtMs, long proposedAtMs) {

        boolean is(Lease lease) {
            return token == lease.token() && renewedSlot == lease.renewedSlot();
        }

        long dueAtMs() {
            return seenAtMs + ttlMs;
        }
    }

    private final LockMachine machine;
    private final long resendAfterMs;
    /** The epoch this server leads at, or null when it does not lead. Invariant: null implies {@link #seen} is empty. */
    private Epoch leading;
    /** Every lease of the machine at the last tick, by name. */
    private Map<String, Seen> seen = new HashMap<>();

    public LockExpiry(LockMachine machine, long resendAfterMs) {
        this.machine = Objects.requireNonNull(machine, "machine");
        if (resendAfterMs < 1) {
            throw new IllegalArgumentException("resendAfterMs must be positive, was " + resendAfterMs);
        }
        this.resendAfterMs = resendAfterMs;
    }

    public LockExpiry(LockMachine machine) {
        this(machine, RESEND_AFTER_MS_DEFAULT);
    }

    /**
     * Called once per tick, after the core stepped: {@code leadingEpoch} is the epoch this server leads
     * at, or null when it does not lead. Returns the expire commands to propose now (in name order); the
     * runtime submits them and ignores their answers. Never proposes anything unless leading.
     */
    @Override
    public List<byte[]> tick(Epoch leadingEpoch, long nowMs) {
        lead(leadingEpoch);
        if (leading == null) {
            return List.of();
        }
        List<byte[]> expires = new ArrayList<>();
        Map<String, Seen> now = new HashMap<>();
        for (Iterator<Lease> leases = machine.leases(); leases.hasNext(); ) {
            Lease lease = leases.next();
            Seen before = seen.get(lease.name());
            Seen current = before != null && before.is(lease) ? before
                    : new Seen(lease.token(), lease.renewedSlot(), lease.ttlMs(), nowMs, -1);
            if (nowMs >= current.dueAtMs()
                    && (current.proposedAtMs() < 0 || nowMs - current.proposedAtMs() >= resendAfterMs)) {
                current = new Seen(current.token(), current.renewedSlot(), current.ttlMs(), current.seenAtMs(), nowMs);
                expires.add(LockCommands.expire(lease));
            }
            now.put(lease.name(), current);
        }
        seen = now;
        return expires;
    }

    /**
     * Brings the scheduler's view of leadership up to date without proposing anything: {@code leadingEpoch}
     * is the epoch this server leads at, or null. The loop calls it before answering a read, which a
     * leader can serve between two ticks (right after it took over, say).
     */
    void lead(Epoch leadingEpoch) {
        if (leadingEpoch == null) {
            leading = null;
            seen = new HashMap<>();
        } else if (!leadingEpoch.equals(leading)) {
            // A new term: everything there now gets a full ttl from now.
            leading = leadingEpoch;
            seen = new HashMap<>();
        }
    }

    /** Whether the last {@link #tick} or {@link #lead} found this server leading. */
    boolean isLeading() {
        return leading != null;
    }

    /**
     * How long this leader will still let {@code lease} run before proposing its expire: 0 once due, or
     * empty when this server does not lead (a follower cannot know; it never serves reads anyway). A lease
     * the scheduler has not seen yet (applied since the last tick) counts as seen now, as the next tick
     * would. Contract: it is this leader's intent, not a guarantee to the holder: a leader change restarts
     * the count with a full ttl, and the expire itself takes a round trip to the log.
     */
    OptionalLong remainingMs(Lease lease, long nowMs) {
        if (leading == null) {
            return OptionalLong.empty();
        }
        Seen current = seen.get(lease.name());
        if (current == null || !current.is(lease)) {
            current = new Seen(lease.token(), lease.renewedSlot(), lease.ttlMs(), nowMs, -1);
            seen.put(lease.name(), current);
        }
        return OptionalLong.of(Math.max(0, current.dueAtMs() - nowMs));
    }

    /**
     * The answer to a lock read: when {@code query} is a show and {@code result} says the lock is held,
     * the same result with this leader's remaining ttl ({@link LockResult.Held#remainingMs()}); otherwise
     * {@code result} unchanged. The runtime calls this when a read is ready.
     */
    @Override
    public byte[] decorateRead(Epoch leadingEpoch, byte[] query, byte[] result, long nowMs) {
        lead(leadingEpoch);
        return withRemaining(query, result, nowMs);
    }

    byte[] withRemaining(byte[] query, byte[] result, long nowMs) {
        if (leading == null) {
            return result;
        }
        LockCommand command;
        LockResult answer;
        try {
            command = LockCommands.decodeCommand(query);
            answer = LockCommands.decodeResult(result);
        } catch (IllegalArgumentException e) {
            return result;
        }
        if (!(command instanceof LockCommand.Show) || !(answer instanceof LockResult.Held held)) {
            return result;
        }
        OptionalLong remaining = remainingMs(held.lease(), nowMs);
        return remaining.isPresent()
                ? LockCommands.encodeResult(new LockResult.Held(held.lease(), remaining.getAsLong()))
                : result;
    }
}
