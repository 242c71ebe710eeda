package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Refusal;

/**
 * A client of the simulated cluster: one command outstanding at a time, retried with the same
 * {@code (clientId, sequence)} after a timeout or a refusal until it completes, following leader
 * hints. Its history feeds the linearizability check.
 */
final class SimClient {

    /** A server's answer travelling back to the client. */
    record Reply(long requestId, long sequence, long slot, ExactlyOnce.Outcome outcome, Refusal refusal) {}

    final int index;
    final long clientId;
    long sequence;
    OpRecord current;
    int target;
    long currentRequestId;
    int attempts;

    SimClient(int index, long clientId, int target) {
        this.index = index;
        this.clientId = clientId;
        this.target = target;
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
