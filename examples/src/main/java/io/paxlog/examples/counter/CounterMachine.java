package io.paxlog.examples.counter;

import io.paxlog.api.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named counters as a replicated state machine. Every server applies the same commands in the same order,
 * so this class must be deterministic: a result depends only on the commands applied before, never on a
 * clock, a random number, a hash order or the environment. Hence a {@link TreeMap} (its order, and so its
 * snapshot, is the same everywhere), and refusals returned as results instead of thrown.
 *
 * <p>A limit that decides results ({@link #COUNTERS_MAX}) is a constant of the code: if it were a setting,
 * two servers configured differently would answer one command differently.
 *
 * <p>Thread: the server's loop thread; never called concurrently.
 */
public final class CounterMachine implements StateMachine {

    /** Counters kept at most; an add that would create one more is refused. */
    public static final int COUNTERS_MAX = 100_000;

    private static final int SNAPSHOT_MAGIC = 0x43544e31; // "CTN1"

    private final CounterCodec codec = CounterCodec.INSTANCE;
    /** Invariant: no value is 0 (a counter at 0 is not kept), at most {@link #COUNTERS_MAX} entries. */
    private final TreeMap<String, Long> counters = new TreeMap<>();

    @Override
    public byte[] apply(long slot, byte[] payload) {
        CounterCommand command;
        try {
            command = codec.decodeCommand(payload);
        } catch (IllegalArgumentException e) {
            return codec.encodeResult(new CounterResult.Rejected(e.getMessage()));
        }
        return codec.encodeResult(execute(command));
    }

    private CounterResult execute(CounterCommand command) {
        if (command instanceof CounterCommand.Get get) {
            return new CounterResult.Value(get.name(), value(get.name()));
        }
        if (command instanceof CounterCommand.Add add) {
            long before = value(add.name());
            long after;
            try {
                after = Math.addExact(before, add.delta());
            } catch (ArithmeticException e) {
                return new CounterResult.Rejected(add.name() + " would overflow: " + before + " + " + add.delta());
            }
            if (before == 0 && after != 0 && counters.size() >= COUNTERS_MAX) {
                return new CounterResult.Rejected("too many counters: at most " + COUNTERS_MAX);
            }
            if (after == 0) {
                counters.remove(add.name());
            } else {
                counters.put(add.name(), after);
            }
            return new CounterResult.Value(add.name(), after);
        }
        throw new AssertionError("unknown counter command " + command);
    }

    /**
     * A get, answered from the current state without the log once the leader proved it current
     * (read-index). An add changes the state, so it is refused here: it must go through the log.
     */
    @Override
    public byte[] query(byte[] request) {
        CounterCommand command = codec.decodeCommand(request);
        if (!(command instanceof CounterCommand.Get get)) {
            throw new IllegalArgumentException("an add changes the counters: submit it as a command");
        }
        return codec.encodeResult(new CounterResult.Value(get.name(), value(get.name())));
    }

    private long value(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** {@code magic:int count:int (name:UTF value:long)*}, in name order, so equal states give equal bytes. */
    @Override
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeInt(counters.size());
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                out.writeUTF(counter.getKey());
                out.writeLong(counter.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Replaces the state with a snapshot's; a damaged snapshot is refused and the state left as it was. */
    @Override
    public void restore(byte[] snapshot) {
        TreeMap<String, Long> restored = new TreeMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != SNAPSHOT_MAGIC) {
                throw new IllegalArgumentException("not a counter snapshot");
            }
            int count = in.readInt();
            if (count < 0 || count > COUNTERS_MAX) {
                throw new IllegalArgumentException("a counter snapshot with " + count + " counters");
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long value = in.readLong();
                if (value == 0 || restored.put(name, value) != null) {
                    throw new IllegalArgumentException("a counter snapshot with a zero or repeated counter " + name);
                }
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("a counter snapshot with bytes after its counters");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("a counter snapshot cut short", e);
        }
        counters.clear();
        counters.putAll(restored);
    }
}
