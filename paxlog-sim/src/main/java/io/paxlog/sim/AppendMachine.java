package io.paxlog.sim;

import io.paxlog.api.StateMachine;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The state machine the simulator replicates: a few keys, each holding a list of integers; a command
 * appends to a list or reads one. Results depend on the exact order of every earlier command, so any
 * reordering, loss or duplicate shows up in the linearizability check (like Jepsen's list-append).
 *
 * <p>It also carries its issuer's {@code (clientId, sequence)} inside the payload, so it can tell when
 * the exactly-once layer let the same command through twice.
 */
final class AppendMachine implements StateMachine {

    static final byte APPEND = 1;
    static final byte READ = 2;
    static final int PAYLOAD_BYTES = 22;

    private final Map<Integer, ListState> lists = new HashMap<>();
    private final Set<Long> appliedIds = new HashSet<>();
    private final boolean checkExactlyOnce;
    private long stateHash = 17;

    private static final class ListState {
        int length;
        long hash = 1;
    }

    AppendMachine(boolean checkExactlyOnce) {
        this.checkExactlyOnce = checkExactlyOnce;
    }

    static byte[] append(int key, int value, long clientId, long sequence) {
        return encode(APPEND, key, value, clientId, sequence);
    }

    static byte[] read(int key, long clientId, long sequence) {
        return encode(READ, key, 0, clientId, sequence);
    }

    private static byte[] encode(byte op, int key, int value, long clientId, long sequence) {
        return ByteBuffer.allocate(PAYLOAD_BYTES).put(op).put((byte) key).putInt(value)
                .putLong(clientId).putLong(sequence).array();
    }

    @Override
    public byte[] apply(long slot, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        byte op = in.get();
        int key = in.get();
        int value = in.getInt();
        long clientId = in.getLong();
        long sequence = in.getLong();
        if (checkExactlyOnce && !appliedIds.add(clientId * 1_000_003L + sequence)) {
            throw new Violation("exactly-once: command c" + clientId + "#" + sequence
                    + " applied twice (again at slot " + slot + ")");
        }
        ListState list = lists.computeIfAbsent(key, k -> new ListState());
        byte[] result;
        if (op == APPEND) {
            list.length++;
            list.hash = list.hash * 1_000_003L + value;
            result = ByteBuffer.allocate(4).putInt(list.length).array();
        } else if (op == READ) {
            result = ByteBuffer.allocate(12).putInt(list.length).putLong(list.hash).array();
        } else {
            throw new IllegalArgumentException("unknown op " + op);
        }
        stateHash = stateHash * 31 + list.hash * 7 + list.length + key;
        return result;
    }

    /**
     * A read-index read: the same answer as a logged read of that key, from the current state, changing
     * nothing (not even the exactly-once bookkeeping: a read is not a command).
     */
    @Override
    public byte[] query(byte[] request) {
        ByteBuffer in = ByteBuffer.wrap(request);
        if (request.length != PAYLOAD_BYTES || in.get() != READ) {
            throw new IllegalArgumentException("not a read query");
        }
        ListState list = lists.get((int) in.get());
        return list == null ? emptyListRead() : ByteBuffer.allocate(12).putInt(list.length).putLong(list.hash).array();
    }

    /** What a read of a key nothing was appended to answers. */
    static byte[] emptyListRead() {
        return ByteBuffer.allocate(12).putInt(0).putLong(1).array();
    }

    long stateHash() {
        return stateHash;
    }

    @Override
    public byte[] snapshot() {
        java.util.TreeMap<Integer, ListState> sorted = new java.util.TreeMap<>(lists);
        long[] ids = appliedIds.stream().mapToLong(Long::longValue).sorted().toArray();
        ByteBuffer out = ByteBuffer.allocate(8 + 4 + sorted.size() * 16 + 4 + ids.length * 8);
        out.putLong(stateHash).putInt(sorted.size());
        sorted.forEach((key, list) -> out.putInt(key).putInt(list.length).putLong(list.hash));
        out.putInt(ids.length);
        for (long id : ids) {
            out.putLong(id);
        }
        return out.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        ByteBuffer in = ByteBuffer.wrap(snapshot);
        lists.clear();
        appliedIds.clear();
        stateHash = in.getLong();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            ListState list = new ListState();
            int key = in.getInt();
            list.length = in.getInt();
            list.hash = in.getLong();
            lists.put(key, list);
        }
        int ids = in.getInt();
        for (int i = 0; i < ids; i++) {
            appliedIds.add(in.getLong());
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes left over in an append-machine snapshot");
        }
    }

    static String describe(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        byte op = in.get();
        int key = in.get();
        int value = in.getInt();
        return op == APPEND ? "append(k" + key + "," + value + ")" : "read(k" + key + ")";
    }

    static String describeResult(byte[] result) {
        ByteBuffer in = ByteBuffer.wrap(result);
        if (result.length == 4) {
            return "len=" + in.getInt();
        }
        if (result.length == 12) {
            return "len=" + in.getInt() + " hash=" + Long.toHexString(in.getLong());
        }
        return result.length + "B";
    }
}
