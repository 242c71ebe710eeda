package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.lock.Lease;
import io.paxlog.lock.LockExpiry;
import io.paxlog.lock.LockService;
import io.paxlog.lock.LockCommand;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockMachine;
import io.paxlog.lock.LockResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The lock service of paxlog-lock under the simulator. Each client is its own owner ({@code c<id>}) and
 * acquires, renews (acquires again while it believes it holds the lock), releases and shows {@value
 * #LOCKS} locks, with leases of {@value #TTL_MS_MIN}-{@value #TTL_MS_MAX} ms, through the log; half the
 * shows are read-index reads answered by {@link LockMachine#query}.
 *
 * <p><b>The leader's expiry scheduler</b> is the server's own, {@link LockExpiry}, ticked by the same
 * {@code Node} a real server runs ({@link #newLeaderDuties}): a leader proposes {@code expire} for a lease a
 * ttl after it first saw it while leading, and a new leader gives every holder a full ttl. Where its
 * proposals land is up to the seed's timing.
 *
 * <p><b>Fenced writes.</b> Every grant or renewal a client hears of makes it write to the lock's fenced
 * resource once or twice, carrying its token, after a delay that usually fits in the lease and sometimes
 * runs past it (a slow network, a paused process): a holder that lost its lock meanwhile writes with a
 * stale token. The resource accepts a write only if its token is at least the highest it has accepted.
 *
 * <p><b>Checked</b>, besides linearizability of the history against a fresh {@link LockMachine} and equal
 * state on every server: on the first application of every slot, the result against the locks' history
 * so far ({@link #firstApplied}): a new grant only of a free lock (never two holders), its token the slot
 * and above every earlier token of that lock, a renewal only for the holder and keeping its token, a
 * release or expire only of the exact current lease, and the machine's state equal to that history. On
 * every write a resource accepts: its token is one the log granted to that very writer, and is not below
 * a token the resource accepted before.
 */
final class LockWorkload implements SimWorkload {

    static final int LOCKS = 3;
    static final long TTL_MS_MIN = 50;
    static final long TTL_MS_MAX = 600;

    /** The locks as the log's results tell it: the lease of each held lock. */
    private final Map<String, Lease> held = new HashMap<>();
    /** Per lock: every token the log granted, with its owner. */
    private final Map<String, Map<Long, String>> granted = new HashMap<>();
    /** Per lock: the highest token ever granted. Only grows. */
    private final Map<String, Long> lastToken = new HashMap<>();
    /** What each client believes it holds (name -> token), by client index. */
    private final Map<Integer, Map<String, Long>> believed = new HashMap<>();
    private final Map<String, FencedResource> resources = new HashMap<>();
    private long grants;
    private long renewals;
    private long expiries;

    /**
     * A resource guarded by fencing tokens, as a storage service would do it: it remembers the highest
     * token it accepted and refuses any lower one. The check on top records what it accepted.
     */
    static final class FencedResource {
        long highest;
        long accepted;
        long rejected;

        boolean write(long token) {
            if (token < highest) {
                rejected++;
                return false;
            }
            highest = token;
            accepted++;
            return true;
        }
    }

    static String name(int index) {
        return "L" + index;
    }

    static String owner(long clientId) {
        return "c" + clientId;
    }

    @Override
    public StateMachine newMachine() {
        return new LockMachine();
    }

    @Override
    public StateMachine newModel() {
        return new LockMachine();
    }

    @Override
    public long stateHash(StateMachine machine) {
        return SimWorkload.hash(machine.snapshot());
    }

    @Override
    public Op next(SimClient client, SplittableRandom random) {
        Map<String, Long> mine = believed.computeIfAbsent(client.index, i -> new HashMap<>());
        String name = name(random.nextInt(LOCKS));
        String owner = owner(client.clientId);
        long ttlMs = TTL_MS_MIN + random.nextLong(TTL_MS_MAX - TTL_MS_MIN + 1);
        int kind = random.nextInt(10);
        byte[] payload;
        if (mine.containsKey(name)) {
            payload = kind < 5 ? LockCommands.acquire(name, owner, ttlMs) // renew
                    : kind < 9 ? LockCommands.release(name, owner)
                    : LockCommands.show(name);
        } else {
            payload = kind < 8 ? LockCommands.acquire(name, owner, ttlMs)
                    : kind < 9 ? LockCommands.release(name, owner) // a release by a non-holder changes nothing
                    : LockCommands.show(name);
        }
        return new Op(payload, kind == 9 && random.nextBoolean());
    }

    @Override
    public List<FencedWrite> completed(SimClient client, OpRecord op, SplittableRandom random) {
        Map<String, Long> mine = believed.computeIfAbsent(client.index, i -> new HashMap<>());
        LockCommand command = LockCommands.decodeCommand(op.command.payload());
        LockResult result = LockCommands.decodeResult(op.result);
        if (result instanceof LockResult.Granted grant && command instanceof LockCommand.Acquire acquire) {
            mine.put(acquire.name(), grant.token());
            List<FencedWrite> writes = new ArrayList<>();
            int count = 1 + random.nextInt(2);
            for (int i = 0; i < count; i++) {
                long delay = random.nextInt(4) == 0 ? random.nextLong(3 * grant.ttlMs()) : random.nextLong(grant.ttlMs());
                writes.add(new FencedWrite(1 + delay, acquire.name(), grant.token(), client.clientId));
            }
            return writes;
        }
        String name = command instanceof LockCommand.Release release ? release.name()
                : command instanceof LockCommand.Show show ? show.name()
                : command instanceof LockCommand.Acquire acquire ? acquire.name() : null;
        if (name != null) {
            boolean stillMine = result instanceof LockResult.Held h && h.lease().holder().equals(owner(client.clientId));
            if (stillMine) {
                mine.put(name, ((LockResult.Held) result).lease().token());
            } else {
                mine.remove(name);
            }
        }
        return List.of();
    }

    // ---- Checks on the log ----

    @Override
    public void firstApplied(long slot, Command command, ExactlyOnce.Outcome outcome, StateMachine machine) {
        if (outcome.kind() != ExactlyOnce.Outcome.Kind.APPLIED) {
            return; // a no-op, or a retry the exactly-once layer answered without the machine
        }
        LockCommand lockCommand = LockCommands.decodeCommand(command.payload());
        LockResult result = LockCommands.decodeResult(outcome.result());
        String at = "slot " + slot + ": " + lockCommand + " gave " + result;
        if (result instanceof LockResult.Rejected) {
            throw new Violation("lock: " + at + ", but the workload only sends valid commands");
        }
        if (lockCommand instanceof LockCommand.Acquire acquire) {
            acquired(slot, acquire, result, at);
        } else if (lockCommand instanceof LockCommand.Release release) {
            Lease lease = held.get(release.name());
            boolean ok = result instanceof LockResult.Released released
                    ? lease != null && lease.holder().equals(release.owner()) && released.token() == lease.token()
                    : answersState(release.name(), result) && (lease == null || !lease.holder().equals(release.owner()));
            if (!ok) {
                throw new Violation("lock: " + at + ", but the lock's history says " + describe(lease));
            }
            if (result instanceof LockResult.Released) {
                held.remove(release.name());
            }
        } else if (lockCommand instanceof LockCommand.Expire expire) {
            Lease lease = held.get(expire.name());
            boolean exact = lease != null && lease.token() == expire.token() && lease.renewedSlot() == expire.renewedSlot();
            boolean ok = result instanceof LockResult.Expired expired
                    ? exact && expired.holder().equals(lease.holder()) && expired.token() == lease.token()
                    : answersState(expire.name(), result) && !exact;
            if (!ok) {
                throw new Violation("lock: " + at + ", but the lock's history says " + describe(lease)
                        + " (an expire frees exactly the lease it names, and nothing else)");
            }
            if (result instanceof LockResult.Expired) {
                held.remove(expire.name());
                expiries++;
            }
        } else if (lockCommand instanceof LockCommand.Show show) {
            if (!answersState(show.name(), result)) {
                throw new Violation("lock: " + at + ", but the lock's history says " + describe(held.get(show.name())));
            }
        }
        if (SimWorkload.unwrap(machine) instanceof LockMachine locks) {
            for (int i = 0; i < LOCKS; i++) {
                Optional<Lease> state = locks.show(name(i));
                if (!state.equals(Optional.ofNullable(held.get(name(i))))) {
                    throw new Violation("lock: after slot " + slot + " the machine holds " + state.orElse(null)
                            + " for " + name(i) + ", but its results say " + describe(held.get(name(i))));
                }
            }
        }
    }

    private void acquired(long slot, LockCommand.Acquire acquire, LockResult result, String at) {
        String name = acquire.name();
        Lease lease = held.get(name);
        if (result instanceof LockResult.Granted grant && !grant.renewed()) {
            if (lease != null) {
                throw new Violation("lock: two holders: " + at + " while " + describe(lease));
            }
            long last = lastToken.getOrDefault(name, 0L);
            if (grant.token() <= last || grant.token() != slot) {
                throw new Violation("lock: fencing token did not grow: " + at + " after an earlier grant of token "
                        + last + " (a new grant's token is its slot)");
            }
            held.put(name, new Lease(name, acquire.owner(), grant.token(), grant.ttlMs(), slot));
            lastToken.put(name, grant.token());
            granted.computeIfAbsent(name, n -> new HashMap<>()).put(grant.token(), acquire.owner());
            grants++;
        } else if (result instanceof LockResult.Granted grant) {
            if (lease == null || !lease.holder().equals(acquire.owner())) {
                throw new Violation("lock: " + at + ", a renewal for someone who does not hold it: " + describe(lease));
            }
            if (grant.token() != lease.token()) {
                throw new Violation("lock: a renewal changed the token: " + at + ", but " + describe(lease));
            }
            held.put(name, new Lease(name, acquire.owner(), lease.token(), grant.ttlMs(), slot));
            renewals++;
        } else if (!(result instanceof LockResult.Held) || !answersState(name, result)
                || lease.holder().equals(acquire.owner())) {
            throw new Violation("lock: " + at + ", but the lock's history says " + describe(lease));
        }
    }

    /** Whether {@code result} (a Held or a Free) says exactly what the history says of {@code name}. */
    private boolean answersState(String name, LockResult result) {
        Lease lease = held.get(name);
        return result instanceof LockResult.Held h ? h.lease().equals(lease) : result instanceof LockResult.Free && lease == null;
    }

    private static String describe(Lease lease) {
        return lease == null ? "free" : "held by " + lease.holder() + " with token " + lease.token() + " (renewed at slot "
                + lease.renewedSlot() + ", ttl " + lease.ttlMs() + " ms)";
    }

    // ---- The leader's expiry scheduler ----

    @Override
    public LeaderDuties newLeaderDuties(StateMachine machine) {
        return new LockService().newLeaderDuties(SimWorkload.unwrap(machine));
    }

    // ---- Fenced writes ----

    @Override
    public String fencedWrite(FencedWrite write, long now) {
        FencedResource resource = resources.computeIfAbsent(write.resource(), r -> new FencedResource());
        long before = resource.highest;
        if (!resource.write(write.token())) {
            return write.resource() + " refused token " + write.token() + " from " + owner(write.clientId())
                    + " (has seen " + before + ")";
        }
        if (write.token() < before) {
            throw new Violation("fencing: resource " + write.resource() + " accepted token " + write.token()
                    + " from " + owner(write.clientId()) + " after token " + before);
        }
        String grantee = granted.getOrDefault(write.resource(), Map.of()).get(write.token());
        if (!owner(write.clientId()).equals(grantee)) {
            throw new Violation("fencing: resource " + write.resource() + " accepted token " + write.token() + " from "
                    + owner(write.clientId()) + ", but the log granted that token to " + grantee);
        }
        return write.resource() + " accepted token " + write.token() + " from " + owner(write.clientId());
    }

    @Override
    public String stats() {
        long accepted = 0;
        long rejected = 0;
        for (FencedResource resource : resources.values()) {
            accepted += resource.accepted;
            rejected += resource.rejected;
        }
        return "grants=" + grants + " renewals=" + renewals + " expiries=" + expiries + " fenced_accepted=" + accepted
                + " fenced_rejected=" + rejected;
    }

    /**
     * A show answered by a leader carries the remaining ttl its expiry scheduler allows: never more than
     * the lease's ttl, never negative. The replicated part is the same answer without it.
     */
    @Override
    public byte[] replicatedPart(byte[] readResult) {
        LockResult result = LockCommands.decodeResult(readResult);
        if (result instanceof LockResult.Held held && held.knowsRemaining()) {
            if (held.remainingMs() < 0 || held.remainingMs() > held.lease().ttlMs()) {
                throw new Violation("lock: a leader answered " + held + ": the remaining ttl must lie in [0, ttl]");
            }
            return LockCommands.encodeResult(new LockResult.Held(held.lease(), LockResult.Held.REMAINING_UNKNOWN));
        }
        return readResult;
    }

    @Override
    public String describe(byte[] payload) {
        try {
            return LockCommands.decodeCommand(payload).toString();
        } catch (IllegalArgumentException e) {
            return payload.length + "B (not a lock command)";
        }
    }

    @Override
    public String describeResult(byte[] result) {
        try {
            return LockCommands.decodeResult(result).toString();
        } catch (IllegalArgumentException e) {
            return result.length + "B (not a lock result)";
        }
    }
}
