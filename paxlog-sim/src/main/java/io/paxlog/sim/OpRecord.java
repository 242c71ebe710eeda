package io.paxlog.sim;

import io.paxlog.api.Command;

/** One client operation as the client saw it: when it started, when and how it ended. */
final class OpRecord {

    /** How a workload's commands and results read in a report. */
    interface Describer {
        String describe(byte[] payload);

        String describeResult(byte[] result);

        /**
         * The part of a read-index answer that the replicated state decides, for the linearizability
         * check: a leader may decorate answers with what only it knows (the lock service's remaining
         * ttl), which no replay of the log can give. Checks the decoration is sane. Default: all of it.
         */
        default byte[] replicatedPart(byte[] readResult) {
            return readResult;
        }
    }

    /**
     * The command as its client core last sent it (its session's id and sequence); until it is first
     * sent, the client's label and its operation number, which no log holds.
     */
    Command command;
    /** Whether an attempt of it was put on the wire. */
    boolean sent;
    final long invokedAt;
    /** A read-index read: answered from a server's state without going through the log. */
    final boolean indexRead;
    /** Set when the client reported it applied, with its result and slot. */
    long completedAt = -1;
    byte[] result;
    long slot;
    /**
     * Set when the client reported it not applied (definitely: it must never be in the log) or with an
     * unknown outcome (it may or may not be); such an operation stays pending for the history checks.
     */
    String failure;
    boolean definitelyNotApplied;
    private final Describer describer;

    OpRecord(Command command, long invokedAt, boolean indexRead, Describer describer) {
        this.command = command;
        this.invokedAt = invokedAt;
        this.indexRead = indexRead;
        this.describer = describer;
    }

    /** Applied, with the result the client was told. */
    boolean completed() {
        return completedAt >= 0;
    }

    /** The client reported an outcome: applied, not applied or unknown. */
    boolean ended() {
        return completed() || failure != null;
    }

    @Override
    public String toString() {
        return "c" + command.clientId() + "#" + command.sequence() + " " + (indexRead ? "index-" : "")
                + describer.describe(command.payload())
                + " [" + invokedAt + ".." + (completed() ? completedAt + "] -> " + describer.describeResult(result)
                + " @" + slot : failure != null ? "ended] " + failure : "pending]");
    }
}
