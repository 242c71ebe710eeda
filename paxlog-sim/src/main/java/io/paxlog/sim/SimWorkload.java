package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.core.ExactlyOnce;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the simulated clients do against one kind of state machine, and the checks that come with it
 * besides the protocol's ({@link Checker}) and linearizability ({@link Linearizability}, against
 * {@link #newModel()}).
 *
 * <p>One instance per run: it may keep what the clients learned (versions read, locks held) and what
 * its checks have seen of the log. Its randomness is only the {@link SplittableRandom} it is handed,
 * so a run stays a function of its seed.
 */
interface SimWorkload extends OpRecord.Describer {

    /** A client's next operation: the command's payload, and whether it is a read-index read. */
    record Op(byte[] payload, boolean indexRead) {}

    /** A client's write to a fenced resource, arriving {@code afterMs} from now. */
    record FencedWrite(long afterMs, String resource, long token, long clientId) {}

    static SimWorkload of(SimOptions.Workload workload) {
        return switch (workload) {
            case APPEND -> new AppendWorkload();
            case KV -> new KvWorkload();
            case LOCK -> new LockWorkload();
        };
    }

    /** A server's state machine, fresh. */
    StateMachine newMachine();

    /**
     * The reference the chosen log is replayed through for the linearizability check: always the real
     * machine, also when the servers run a test's broken one.
     */
    StateMachine newModel();

    /** A hash of the machine's whole state: equal on two servers that applied the same slots. */
    long stateHash(StateMachine machine);

    Op next(SimClient client, SplittableRandom random);

    /** {@code client}'s operation completed; fenced writes it now makes, if any. */
    default List<FencedWrite> completed(SimClient client, OpRecord op, SplittableRandom random) {
        return List.of();
    }

    /**
     * Slot {@code slot} was applied for the first time on any server (the state-hash check makes every
     * later application equal to this one), with {@code machine} the state after it.
     */
    default void firstApplied(long slot, Command command, ExactlyOnce.Outcome outcome, StateMachine machine) {}

    /**
     * The service's leader duties over {@code machine} (a server's, fresh per start), exactly as the real
     * server runs them: the node ticks them and proposes what they return.
     */
    default LeaderDuties newLeaderDuties(StateMachine machine) {
        return LeaderDuties.NONE;
    }

    /** A fenced write arrived at its resource; returns what happened, for the trace. */
    default String fencedWrite(FencedWrite write, long now) {
        throw new IllegalStateException("this workload makes no fenced writes");
    }

    /** Figures for tests and reports, e.g. how many stale writes a resource rejected. */
    default String stats() {
        return "";
    }

    /** A test's wrapper around a real machine, so a workload can still read the real one's state. */
    interface Wrapper {
        StateMachine delegate();
    }

    /** {@code machine}, or the real machine inside a test's wrapper. */
    static StateMachine unwrap(StateMachine machine) {
        StateMachine inner = machine;
        while (inner instanceof Wrapper wrapper) {
            inner = wrapper.delegate();
        }
        return inner;
    }

    /** FNV-1a over bytes, folded: a state hash from a deterministic snapshot. */
    static long hash(byte[] bytes) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash ^ (hash >>> 29);
    }
}
