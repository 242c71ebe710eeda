package io.paxlog.sim;

import io.paxlog.api.Command;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the clients' history against the sequential model, using the log itself as the witness
 * order: each command takes effect at the first slot that holds it. The history is linearizable with
 * that order when (1) every acknowledged command is in the log, (2) every answer equals what the
 * model returns when the log is replayed, and (3) the order respects real time: a command that
 * completed before another was invoked sits in an earlier slot.
 *
 * <p>The service promises exactly that order, so a failure here is a bug even in the rare history
 * that some other order could explain.
 */
final class Linearizability {

    private Linearizability() {}

    static void check(Map<Long, Command> chosen, long lastSlot, List<OpRecord> ops) {
        AppendMachine model = new AppendMachine(false);
        Map<Long, long[]> firstSlot = new HashMap<>(); // id -> {slot}
        Map<Long, byte[]> results = new HashMap<>();
        for (long slot = 1; slot <= lastSlot; slot++) {
            Command command = chosen.get(slot);
            if (command == null) {
                throw new Violation("slot " + slot + " was applied somewhere but no server finalized it");
            }
            if (command.isNoop()) {
                continue;
            }
            long id = id(command);
            if (firstSlot.containsKey(id)) {
                continue; // a retried copy: the exactly-once layer makes it a no-op
            }
            firstSlot.put(id, new long[] {slot});
            results.put(id, model.apply(slot, command.payload()));
        }
        for (OpRecord op : ops) {
            if (!op.completed()) {
                continue;
            }
            long id = id(op.command);
            byte[] expected = results.get(id);
            if (expected == null) {
                throw new Violation("acknowledged " + op + " is not in the log (last slot " + lastSlot + ")");
            }
            if (!Arrays.equals(expected, op.result)) {
                throw new Violation("not linearizable: " + op + " but the log order gives "
                        + AppendMachine.describeResult(expected) + " at slot " + firstSlot.get(id)[0]);
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
                long slot = firstSlot.get(id(done.command))[0];
                if (slot > maxSlotCompleted) {
                    maxSlotCompleted = slot;
                    maxOp = done;
                }
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
