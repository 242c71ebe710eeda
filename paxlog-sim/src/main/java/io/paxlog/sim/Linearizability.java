package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the clients' history against the sequential model (a fresh copy of the workload's real state
 * machine, whatever the servers ran), using the log itself as the witness
 * order: each command takes effect at the first slot that holds it. The history is linearizable with
 * that order when (1) every acknowledged command is in the log, (2) every answer equals what the
 * model returns when the log is replayed, and (3) the order respects real time: a command that
 * completed before another was invoked sits in an earlier slot.
 *
 * <p>A read-index read does not go through the log: it takes effect at the applied slot {@code s} its
 * server answered at. Its answer must be the model's answer to the same query after slot {@code s}, and real
 * time must hold around it as around any command: {@code s} is at least the slot of everything that
 * completed before the read was invoked, and whatever is invoked after it completed lies above
 * {@code s}. A deposed leader answering from old state breaks the first; a leader that answers before
 * it knows every earlier leader's commands breaks it too.
 *
 * <p>The service promises exactly that order, so a failure here is a bug even in the rare history
 * that some other order could explain.
 */
final class Linearizability {

    private Linearizability() {}

    /** The append workload's check, every slot taking effect by the window's rules alone. */
    static void check(Map<Long, Command> chosen, long lastSlot, List<OpRecord> ops) {
        check(chosen, lastSlot, ops, new AppendMachine(false), new AppendWorkload(), slot -> true);
    }

    /**
     * Replays the chosen log through {@code model}, a fresh machine of the real kind, and checks {@code
     * ops} against it: a logged command's answer against the model's result at its first slot, a
     * read-index read's answer against {@link StateMachine#query} of the model's state after the slot it
     * was answered at, and real-time order for both.
     *
     * <p>The session layer's own commands (register, keep-alive, clock) change no state, and a command
     * whose session had expired took no effect: {@code tookEffect} says which slots' commands the
     * servers applied or repeated (they all decide it alike, from the log, which the {@link Checker}
     * checks as they apply); the window's rules are still played here on their own.
     */
    static void check(Map<Long, Command> chosen, long lastSlot, List<OpRecord> ops, StateMachine model,
            OpRecord.Describer describer, java.util.function.LongPredicate tookEffect) {
        Map<Long, long[]> firstSlot = new HashMap<>(); // id -> {slot}
        Map<Long, byte[]> results = new HashMap<>();
        // The exactly-once window, played here on its own: a client's command applies at its first slot
        // only if its sequence is within the window of the highest one applied for that client. A late
        // copy of a command the client gave up on (its attempt abandoned, or its outcome left unknown)
        // can reach the log after the client moved on further than the window: then it does nothing.
        Map<Long, Long> highestApplied = new HashMap<>();
        // Read-index reads by the applied slot they were answered at, each answered from the model's
        // state after that slot.
        List<OpRecord> reads = new ArrayList<>();
        for (OpRecord op : ops) {
            if (op.completed() && op.indexRead) {
                if (op.slot > lastSlot) {
                    throw new Violation("not linearizable: " + op + " answered at slot " + op.slot
                            + ", beyond the last applied slot " + lastSlot);
                }
                reads.add(op);
            }
        }
        reads.sort(Comparator.comparingLong(op -> op.slot));
        int nextRead = 0;
        for (long slot = 0; slot <= lastSlot; slot++) {
            Command command = slot == 0 ? null : chosen.get(slot);
            if (slot > 0 && command == null) {
                throw new Violation("slot " + slot + " was applied somewhere but no server finalized it");
            }
            // A membership change is applied by the core, and the session layer's own commands by the
            // exactly-once layer, never by the service: the model skips them too.
            if (command != null && !command.isNoop() && !io.paxlog.core.MembershipChange.isChange(command)
                    && !io.paxlog.core.ClientIds.isSessionLayer(command.clientId()) && tookEffect.test(slot)) {
                long id = id(command);
                long highest = highestApplied.getOrDefault(command.clientId(), 0L);
                // Else a retried copy, or one too old for the window: the exactly-once layer makes it a no-op.
                if (!firstSlot.containsKey(id) && command.sequence() > highest - Simulation.EXACTLY_ONCE_WINDOW) {
                    firstSlot.put(id, new long[] {slot});
                    results.put(id, model.apply(slot, command.payload()));
                    highestApplied.put(command.clientId(), Math.max(highest, command.sequence()));
                }
            }
            while (nextRead < reads.size() && reads.get(nextRead).slot == slot) {
                OpRecord read = reads.get(nextRead++);
                byte[] expected = model.query(read.command.payload());
                if (!Arrays.equals(expected, describer.replicatedPart(read.result))) {
                    throw new Violation("not linearizable: " + read + " but the log gives "
                            + describer.describeResult(expected) + " after slot " + slot);
                }
            }
        }
        for (OpRecord op : ops) {
            if (!op.completed() || op.indexRead) {
                continue;
            }
            long id = id(op.command);
            byte[] expected = results.get(id);
            if (expected == null) {
                throw new Violation("acknowledged " + op + " is not in the log (last slot " + lastSlot + ")");
            }
            if (!Arrays.equals(expected, op.result)) {
                throw new Violation("not linearizable: " + op + " but the log order gives "
                        + describer.describeResult(expected) + " at slot " + firstSlot.get(id)[0]);
            }
        }
        List<OpRecord> byInvoke = new ArrayList<>(ops);
        byInvoke.sort(Comparator.comparingLong(op -> op.invokedAt));
        List<OpRecord> byCompletion = new ArrayList<>();
        for (OpRecord op : ops) {
            if (op.completed()) {
                byCompletion.add(op);
            }
        }
        byCompletion.sort(Comparator.comparingLong(op -> op.completedAt));
        int next = 0;
        long maxSlotCompleted = 0;
        OpRecord maxOp = null;
        for (OpRecord op : byInvoke) {
            while (next < byCompletion.size() && byCompletion.get(next).completedAt < op.invokedAt) {
                OpRecord done = byCompletion.get(next++);
                long slot = done.indexRead ? done.slot : firstSlot.get(id(done.command))[0];
                if (slot > maxSlotCompleted) {
                    maxSlotCompleted = slot;
                    maxOp = done;
                }
            }
            if (op.indexRead) {
                if (op.completed() && op.slot < maxSlotCompleted) {
                    throw new Violation("not linearizable: " + op + " read the state after slot " + op.slot + ", but "
                            + maxOp + " (slot " + maxSlotCompleted + ") completed before the read was invoked: a stale read");
                }
                continue;
            }
            long[] slot = firstSlot.get(id(op.command));
            if (slot != null && slot[0] < maxSlotCompleted) {
                throw new Violation("not linearizable: " + op + " took effect at slot " + slot[0]
                        + ", before " + maxOp + " (slot " + maxSlotCompleted + ") which completed before it was invoked");
            }
        }
    }

    private static long id(Command command) {
        return command.clientId() * 1_000_003L + command.sequence();
    }
}
