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
 * <p>Gets go through the log, and, when {@link KvMachine} answers read-index queries ({@link
 * StateMachine#query} of a get command), half of them are read-index reads instead, which {@link
 * Linearizability} checks as it does the append workload's. Whether it does is found out once, by asking
 * a fresh machine, so this class needs no change the day it does.
 */
final class KvWorkload implements SimWorkload {

    static final int KEYS = 5;

    /** Whether {@link KvMachine} answers a get as a read-index query (see the class comment). */
    private final boolean readIndex = answersGetQueries();

    /** What each client last saw of each key's version (0: absent or unknown), by client index. */
    private final Map<Integer, long[]> versionsSeen = new HashMap<>();
    /** Conditional puts and deletes the clients saw succeed and fail: shows the conditions are exercised. */
    private long conditionsHeld;
    private long conditionsFailed;

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
            return new Op(KvCommands.get(key), readIndex && random.nextBoolean());
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

    private static boolean answersGetQueries() {
        KvMachine machine = new KvMachine();
        try {
            return KvCommands.decodeResult(machine.query(KvCommands.get(key(0)))) instanceof KvResult.NotFound;
        } catch (UnsupportedOperationException | IllegalArgumentException notAQuery) {
            return false;
        }
    }

    @Override
    public String stats() {
        return "conditions_held=" + conditionsHeld + " conditions_failed=" + conditionsFailed
                + " read_index=" + readIndex;
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
