package io.paxlog.sim;

import io.paxlog.api.StateMachine;
import io.paxlog.kv.KvCommand;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvMachine;
import io.paxlog.kv.KvResult;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The key-value store of paxlog-kv under the simulator: clients put, compare-and-set on the version they
 * last saw, put if absent, delete (plain and conditional), get and list, over {@value #KEYS} keys, all
 * through the log. Every value is unique ({@code c<client>.<sequence>}), so an answer names the exact
 * write it saw.
 *
 * <p>Checked: linearizability of the whole history against a fresh {@link KvMachine} replaying the
 * chosen log (values, versions, condition failures, pages), and equal state on every server after
 * every slot (the hash of the machine's snapshot, which holds every key, value and version).
 *
 * <p>Half the gets and lists go through the log, the other half are read-index reads answered by {@link
 * KvMachine#query} on the server, which {@link Linearizability} checks against the model's answer after
 * the slot the server answered at, as it does the append workload's reads.
 */
final class KvWorkload implements SimWorkload {

    static final int KEYS = 5;

    /** What each client last saw of each key's version (0: absent or unknown), by client index. */
    private final Map<Integer, long[]> versionsSeen = new HashMap<>();
    /** Conditional puts and deletes the clients saw succeed and fail: shows the conditions are exercised. */
    private long conditionsHeld;
    private long conditionsFailed;
    private long indexReads;

    @Override
    public StateMachine newMachine() {
        return new KvMachine();
    }

    @Override
    public StateMachine newModel() {
        return new KvMachine();
    }

    @Override
    public long stateHash(StateMachine machine) {
        return SimWorkload.hash(machine.snapshot());
    }

    static byte[] key(int index) {
        return ("k" + index).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Op next(SimClient client, SplittableRandom random) {
        long[] seen = versionsSeen.computeIfAbsent(client.index, i -> new long[KEYS]);
        int index = random.nextInt(KEYS);
        byte[] key = key(index);
        byte[] value = ("c" + client.clientId + "." + client.sequence).getBytes(StandardCharsets.UTF_8);
        int kind = random.nextInt(20);
        byte[] payload;
        if (kind < 4) {
            return new Op(KvCommands.get(key), random.nextBoolean());
        } else if (kind < 8) {
            payload = KvCommands.put(key, value);
        } else if (kind < 12) {
            // Compare-and-set on the version this client last saw; without one, create only if absent.
            payload = seen[index] != 0 ? KvCommands.compareAndSet(key, seen[index], value)
                    : KvCommands.putIfAbsent(key, value);
        } else if (kind < 14) {
            payload = KvCommands.putIfAbsent(key, value);
        } else if (kind < 16) {
            payload = KvCommands.delete(key);
        } else if (kind < 18) {
            payload = seen[index] != 0 ? KvCommands.deleteIfVersion(key, seen[index]) : KvCommands.delete(key);
        } else {
            // A whole listing or a page of two after a random key: exercises the cursor and "more".
            payload = random.nextBoolean() ? KvCommands.list(new byte[] {'k'}, new byte[0], 10)
                    : KvCommands.list(new byte[] {'k'}, key, 2);
            return new Op(payload, random.nextBoolean());
        }
        return new Op(payload, false);
    }

    @Override
    public List<FencedWrite> completed(SimClient client, OpRecord op, SplittableRandom random) {
        long[] seen = versionsSeen.computeIfAbsent(client.index, i -> new long[KEYS]);
        KvCommand command = KvCommands.decodeCommand(op.command.payload());
        KvResult result = KvCommands.decodeResult(op.result);
        int index = command instanceof KvCommand.Get get ? indexOf(get.key())
                : command instanceof KvCommand.Put put ? indexOf(put.key())
                : command instanceof KvCommand.Delete delete ? indexOf(delete.key())
                : -1;
        boolean conditional = command instanceof KvCommand.Put put ? put.condition().kind() != KvCommand.Condition.Kind.ALWAYS
                : command instanceof KvCommand.Delete delete && delete.condition().kind() != KvCommand.Condition.Kind.ALWAYS;
        if (op.indexRead) {
            indexReads++;
        }
        if (conditional && result instanceof KvResult.ConditionFailed) {
            conditionsFailed++;
        } else if (conditional) {
            conditionsHeld++;
        }
        if (result instanceof KvResult.Page page) {
            for (KvResult.KvEntry entry : page.entries()) {
                seen[indexOf(entry.key())] = entry.version();
            }
        } else if (index >= 0) {
            if (result instanceof KvResult.Found found) {
                seen[index] = found.version();
            } else if (result instanceof KvResult.Written written) {
                seen[index] = written.version();
            } else if (result instanceof KvResult.ConditionFailed failed) {
                seen[index] = failed.currentVersion();
            } else if (result instanceof KvResult.NotFound || result instanceof KvResult.Deleted) {
                seen[index] = 0;
            }
        }
        return List.of();
    }

    @Override
    public String stats() {
        return "conditions_held=" + conditionsHeld + " conditions_failed=" + conditionsFailed + " index_reads=" + indexReads;
    }

    private static int indexOf(byte[] key) {
        return Integer.parseInt(new String(key, 1, key.length - 1, StandardCharsets.UTF_8));
    }

    @Override
    public String describe(byte[] payload) {
        try {
            return KvCommands.decodeCommand(payload).toString();
        } catch (IllegalArgumentException e) {
            return payload.length + "B (not a kv command)";
        }
    }

    @Override
    public String describeResult(byte[] result) {
        try {
            return KvCommands.decodeResult(result).toString();
        } catch (IllegalArgumentException e) {
            return result.length + "B (not a kv result)";
        }
    }
}
