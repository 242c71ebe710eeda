package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.core.runtime.CommandAnswer;

/**
 * A client of the simulated cluster: one command outstanding at a time, retried with the same
 * {@code (clientId, sequence)} after a timeout or a refusal until it completes, following leader
 * hints. Its history feeds the linearizability check.
 */
final class SimClient {

    /** One attempt of a command (or read) travelling to a server. */
    record Request(int client, long attempt, Command command, boolean read) {}

    /** A server's answer to attempt {@code attempt} of the command with {@code sequence}, travelling back. */
    record Reply(long attempt, long sequence, CommandAnswer answer) {}

    final int index;
    final long clientId;
    long sequence;
    OpRecord current;
    int target;
    /** The client's latest attempt; attempts are numbered across all its commands. */
    long currentAttempt;
    int attempts;

    SimClient(int index, long clientId, int target) {
        this.index = index;
        this.clientId = clientId;
        this.target = target;
    }

    /** Numbers a new attempt of the current command. */
    long newAttempt() {
        attempts++;
        return ++currentAttempt;
    }

    boolean busy() {
        return current != null && !current.completed();
    }

    /** Starts the client's next operation, which {@code workload} chooses. */
    Command next(SimWorkload workload, java.util.SplittableRandom random, long now) {
        sequence++;
        SimWorkload.Op op = workload.next(this, random);
        Command command = new Command(clientId, sequence, op.payload());
        current = new OpRecord(command, now, op.indexRead(), workload);
        attempts = 0;
        return command;
    }
}
