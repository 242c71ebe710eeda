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

    Command next(java.util.SplittableRandom random, long now) {
        sequence++;
        int key = random.nextInt(4);
        int kind = random.nextInt(10);
        byte[] payload = kind < 6
                ? AppendMachine.append(key, random.nextInt(1_000_000), clientId, sequence)
                : AppendMachine.read(key, clientId, sequence);
        Command command = new Command(clientId, sequence, payload);
        current = new OpRecord(command, now, kind >= 8); // a fifth of operations read by read-index
        attempts = 0;
        return command;
    }
}
