package io.paxlog.sim;

import io.paxlog.api.StateMachine;
import java.util.SplittableRandom;

/**
 * The original workload: appends to and reads of four integer lists ({@link AppendMachine}); a fifth of
 * the operations are read-index reads. Draws exactly what the simulator drew before workloads were a
 * choice, so every seed replays as before.
 */
final class AppendWorkload implements SimWorkload {

    @Override
    public StateMachine newMachine() {
        return new AppendMachine(true);
    }

    @Override
    public StateMachine newModel() {
        return new AppendMachine(false);
    }

    @Override
    public long stateHash(StateMachine machine) {
        return machine instanceof AppendMachine append ? append.stateHash() : SimWorkload.hash(machine.snapshot());
    }

    @Override
    public Op next(SimClient client, SplittableRandom random) {
        int key = random.nextInt(4);
        int kind = random.nextInt(10);
        byte[] payload = kind < 6
                ? AppendMachine.append(key, random.nextInt(1_000_000), client.clientId, client.sequence)
                : AppendMachine.read(key, client.clientId, client.sequence);
        return new Op(payload, kind >= 8); // a fifth of operations read by read-index
    }

    @Override
    public String describe(byte[] payload) {
        return AppendMachine.describe(payload);
    }

    @Override
    public String describeResult(byte[] result) {
        return AppendMachine.describeResult(result);
    }
}
