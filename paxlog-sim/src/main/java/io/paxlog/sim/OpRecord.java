package io.paxlog.sim;

import io.paxlog.api.Command;

/** One client operation as the client saw it: when it started, when and how it ended. */
final class OpRecord {

    final Command command;
    final long invokedAt;
    long completedAt = -1;
    byte[] result;
    long slot;

    OpRecord(Command command, long invokedAt) {
        this.command = command;
        this.invokedAt = invokedAt;
    }

    boolean completed() {
        return completedAt >= 0;
    }

    @Override
    public String toString() {
        return "c" + command.clientId() + "#" + command.sequence() + " " + AppendMachine.describe(command.payload())
                + " [" + invokedAt + ".." + (completed() ? completedAt + "] -> " + AppendMachine.describeResult(result)
                + " @" + slot : "pending]");
    }
}
