package io.paxlog.sim;

import io.paxlog.api.Command;

/** One client operation as the client saw it: when it started, when and how it ended. */
final class OpRecord {

    final Command command;
    final long invokedAt;
    /** A read-index read: answered from a server's state without going through the log. */
    final boolean indexRead;
    long completedAt = -1;
    byte[] result;
    long slot;

    OpRecord(Command command, long invokedAt, boolean indexRead) {
        this.command = command;
        this.invokedAt = invokedAt;
        this.indexRead = indexRead;
    }

    boolean completed() {
        return completedAt >= 0;
    }

    @Override
    public String toString() {
        return "c" + command.clientId() + "#" + command.sequence() + " " + (indexRead ? "index-" : "")
                + AppendMachine.describe(command.payload())
                + " [" + invokedAt + ".." + (completed() ? completedAt + "] -> " + AppendMachine.describeResult(result)
                + " @" + slot : "pending]");
    }
}
