package io.paxlog.kv;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.BinaryInput;
import io.paxlog.api.codec.BinaryOutput;
import io.paxlog.kv.KvCommand.Condition;
import io.paxlog.kv.KvResult.Code;
import io.paxlog.kv.KvResult.KvEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.pcollections.TreePMap;

/**
 * The key-value store as a replicated state machine: byte keys and values, each with a version, the slot
 * of the command that last wrote it. Commands and results are the bytes of {@link KvCommands}.
 *
 * <p>Deterministic: a result depends only on the commands applied before and on the {@link KvLimits},
 * which are checked while applying (a key one byte too long gets a {@link KvResult.Rejected} on every
 * replica, never an exception on some). Checks run in this order, and the first that fails decides the
 * result: the command's bytes, then each argument (key, value, prefix, cursor, limit), then the
 * condition, then the store's size.
 *
 * <p>Reads: a get or a list may go through the log like any command, or, once the server knows the read
 * is linearizable (read-index), be served by {@link #query} (the same command bytes) or {@link #get} and
 * {@link #list} directly; all paths give the same results. Those query methods only read, and return copies, so the caller may hand them to another
 * thread.
 *
 * <p>Snapshots: the entries live in a persistent sorted map (pcollections' {@link TreePMap}: every
 * write makes a new version sharing all but one path with the old), so {@link #snapshotSource()} only
 * keeps the current version, in O(1), and writes it later on any thread while applies go on making newer
 * versions. Keys and values are immutable arrays, so the frozen version never sees a later write.
 *
 * <p>Thread: the server's loop thread, like every state machine; not thread-safe. A {@link
 * SnapshotSource} it returned may be written on any thread.
 */
public final class KvMachine implements StateMachine {

    /** Bytes counted per entry besides its key and value: exactly what the entry adds to a snapshot. */
    public static final int ENTRY_OVERHEAD_BYTES = 16;

    private static final int SNAPSHOT_MAGIC = 0x50584b56; // "PXKV"
    private static final int SNAPSHOT_FORMAT = 1;
    private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    /** A value and the slot that wrote it. The array is never modified once stored. */
    private record Stored(byte[] value, long version) {}

    private final KvLimits limits;
    /**
     * Keys in unsigned byte order. Invariants: no key is empty or longer than the key limit, no value is
     * longer than the value limit, every version is in 1..appliedSlot, and no array in here is modified or
     * handed out.
     */
    private TreePMap<byte[], Stored> entries = TreePMap.empty(UNSIGNED);
    /** Invariant: the sum of {@link #footprint} over the entries, at most {@code limits.storeBytesMax()}. */
    private long storeBytes;
    /** The slot of the last command applied; 0 before the first. */
    private long appliedSlot;

    public KvMachine() {
        this(KvLimits.DEFAULTS);
    }

    public KvMachine(KvLimits limits) {
        this.limits = limits;
    }

    // ---- The state machine ----

    @Override
    public byte[] apply(long slot, byte[] payload) {
        if (slot <= appliedSlot) {
            throw new AssertionError("kv applied slot " + slot + " after slot " + appliedSlot);
        }
        appliedSlot = slot;
        KvCommand command;
        try {
            command = KvCommands.decodeCommand(payload);
        } catch (IllegalArgumentException malformed) {
            return KvCommands.encodeResult(new KvResult.Rejected(Code.MALFORMED, malformed.getMessage()));
        }
        return KvCommands.encodeResult(execute(slot, command));
    }

    private KvResult execute(long slot, KvCommand command) {
        // The decoded command's arrays are fresh copies of the payload, so they may be stored as they are.
        if (command instanceof KvCommand.Get get) {
            return get(get.key());
        } else if (command instanceof KvCommand.Put put) {
            return put(slot, put);
        } else if (command instanceof KvCommand.Delete delete) {
            return delete(delete);
        } else if (command instanceof KvCommand.ListPrefix list) {
            return list(list.prefix(), list.after(), list.limit());
        }
        throw new AssertionError("unknown kv command " + command);
    }

    private KvResult put(long slot, KvCommand.Put put) {
        KvResult refused = refuseKey(put.key());
        if (refused != null) {
            return refused;
        }
        if (put.value().length > limits.valueBytesMax()) {
            return new KvResult.Rejected(Code.VALUE_TOO_LARGE, "a value of " + put.value().length
                    + " bytes is above the limit of " + limits.valueBytesMax());
        }
        Stored current = entries.get(put.key());
        if (!holds(put.condition(), current)) {
            return new KvResult.ConditionFailed(current == null ? 0 : current.version());
        }
        long grown = storeBytes - (current == null ? 0 : footprint(put.key(), current.value()))
                + footprint(put.key(), put.value());
        if (grown > limits.storeBytesMax()) {
            return new KvResult.Rejected(Code.STORE_FULL, "the store would hold " + grown
                    + " bytes, above its limit of " + limits.storeBytesMax());
        }
        entries = entries.plus(put.key(), new Stored(put.value(), slot));
        storeBytes = grown;
        return new KvResult.Written(slot);
    }

    private KvResult delete(KvCommand.Delete delete) {
        KvResult refused = refuseKey(delete.key());
        if (refused != null) {
            return refused;
        }
        Stored current = entries.get(delete.key());
        if (current == null && delete.condition().kind() == Condition.Kind.ALWAYS) {
            return new KvResult.NotFound();
        }
        if (!holds(delete.condition(), current)) {
            return new KvResult.ConditionFailed(current == null ? 0 : current.version());
        }
        entries = entries.minus(delete.key());
        storeBytes -= footprint(delete.key(), current.value());
        assert storeBytes >= 0 : "kv store bytes went negative: " + storeBytes;
        return new KvResult.Deleted(current.version());
    }

    private static boolean holds(Condition condition, Stored current) {
        return switch (condition.kind()) {
            case ALWAYS -> true;
            case VERSION_IS -> current != null && current.version() == condition.expectedVersion();
            case ABSENT -> current == null;
        };
    }

    // ---- Queries: read only, callable by the loop thread between two applies ----

    /**
     * Answers a get or a list, given as {@link KvCommands} command bytes, from the current state without
     * changing it; the result bytes are those {@link #apply} would return for the same command at this
     * point (a refusal of an argument included).
     *
     * @throws IllegalArgumentException when {@code request} is malformed, or is a put or delete: a write
     *     must go through the log
     */
    @Override
    public byte[] query(byte[] request) {
        KvCommand command = KvCommands.decodeCommand(request);
        if (command instanceof KvCommand.Get get) {
            return KvCommands.encodeResult(get(get.key()));
        } else if (command instanceof KvCommand.ListPrefix list) {
            return KvCommands.encodeResult(list(list.prefix(), list.after(), list.limit()));
        }
        throw new IllegalArgumentException("a kv query must be a get or a list; " + command.getClass().getSimpleName()
                + " writes and must be submitted as a command");
    }

    /** The key's value (a copy) and version, {@link KvResult.NotFound}, or a refusal of the key. */
    public KvResult get(byte[] key) {
        KvResult refused = refuseKey(key);
        if (refused != null) {
            return refused;
        }
        Stored stored = entries.get(key);
        return stored == null ? new KvResult.NotFound() : new KvResult.Found(stored.value().clone(), stored.version());
    }

    /**
     * A {@link KvResult.Page} of the entries (copies) whose key starts with {@code prefix} and sorts
     * strictly after {@code after} (unsigned bytes), in key order: at most {@code min(limit,
     * listEntriesMax)} of them, stopping before their keys and values pass {@code listBytesMax} bytes
     * unless the page is still empty. Or a refusal of an argument.
     */
    public KvResult list(byte[] prefix, byte[] after, int limit) {
        if (prefix.length > limits.keyBytesMax()) {
            return new KvResult.Rejected(Code.KEY_TOO_LARGE, "a prefix of " + prefix.length
                    + " bytes is above the key limit of " + limits.keyBytesMax());
        }
        if (after.length > limits.keyBytesMax()) {
            return new KvResult.Rejected(Code.KEY_TOO_LARGE, "a cursor of " + after.length
                    + " bytes is above the key limit of " + limits.keyBytesMax());
        }
        if (limit < 1) {
            return new KvResult.Rejected(Code.INVALID_ARGUMENT, "a list limit must be at least 1, was " + limit);
        }
        int entriesMax = Math.min(limit, limits.listEntriesMax());
        // The keys with a prefix are contiguous in this order and start at the prefix itself.
        NavigableMap<byte[], Stored> tail = Arrays.compareUnsigned(after, prefix) >= 0
                ? entries.tailMap(after, false)
                : entries.tailMap(prefix, true);
        List<KvEntry> page = new ArrayList<>();
        long pageBytes = 0;
        boolean more = false;
        for (Map.Entry<byte[], Stored> entry : tail.entrySet()) {
            byte[] key = entry.getKey();
            if (!startsWith(key, prefix)) {
                break;
            }
            byte[] value = entry.getValue().value();
            if (page.size() == entriesMax || (!page.isEmpty() && pageBytes + key.length + value.length > limits.listBytesMax())) {
                more = true;
                break;
            }
            page.add(new KvEntry(key.clone(), value.clone(), entry.getValue().version()));
            pageBytes += key.length + value.length;
        }
        return new KvResult.Page(page, more);
    }

    public KvLimits limits() {
        return limits;
    }

    /** Keys held. */
    public int size() {
        return entries.size();
    }

    /** The store's size as the {@link KvLimits#storeBytesMax()} limit counts it. */
    public long storeBytes() {
        return storeBytes;
    }

    /** The slot of the last command applied; 0 before the first. */
    public long appliedSlot() {
        return appliedSlot;
    }

    private KvResult refuseKey(byte[] key) {
        if (key.length == 0) {
            return new KvResult.Rejected(Code.INVALID_ARGUMENT, "the empty key is not a key");
        }
        if (key.length > limits.keyBytesMax()) {
            return new KvResult.Rejected(Code.KEY_TOO_LARGE, "a key of " + key.length
                    + " bytes is above the limit of " + limits.keyBytesMax());
        }
        return null;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static long footprint(byte[] key, byte[] value) {
        return ENTRY_OVERHEAD_BYTES + (long) key.length + value.length;
    }

    // ---- Snapshots ----

    /**
     * The whole store, keys in unsigned byte order, so two replicas that applied the same commands give
     * the same bytes. The limits go in too: a store is only restored under the limits it was built under.
     *
     * <pre>
     * magic:int="PXKV" format:byte=1
     * keyBytesMax:int valueBytesMax:int storeBytesMax:int listEntriesMax:int listBytesMax:int
     * appliedSlot:long count:int (key:bytes version:long value:bytes)* crc32c:int
     * </pre>
     * The checksum covers everything before it. Its size is 41 bytes plus {@link #storeBytes()}. The
     * format is the one the in-memory snapshots of earlier versions wrote, byte for byte: only when it is
     * serialized changed.
     */
    @Override
    public byte[] snapshot() {
        return snapshotSource().toByteArray();
    }

    /**
     * The store as it is now, in O(1): the current version of the persistent map and the counters, which
     * later applies replace but never change.
     */
    @Override
    public SnapshotSource snapshotSource() {
        TreePMap<byte[], Stored> frozen = entries;
        long slot = appliedSlot;
        KvLimits at = limits;
        return out -> {
            BinaryOutput frame = new BinaryOutput(out);
            frame.putInt(SNAPSHOT_MAGIC).putByte(SNAPSHOT_FORMAT)
                    .putInt(at.keyBytesMax()).putInt(at.valueBytesMax()).putInt(at.storeBytesMax())
                    .putInt(at.listEntriesMax()).putInt(at.listBytesMax())
                    .putLong(slot).putInt(frozen.size());
            for (Map.Entry<byte[], Stored> entry : frozen.entrySet()) {
                frame.putBytes(entry.getKey()).putLong(entry.getValue().version()).putBytes(entry.getValue().value());
            }
            frame.finishWithChecksum();
        };
    }

    /** {@link #restore(InputStream)} of the bytes. */
    @Override
    public void restore(byte[] snapshot) {
        try {
            restore(new ByteArrayInputStream(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot from memory cannot fail, but did", e);
        }
    }

    /**
     * Replaces the store with a {@link #snapshot()}, read in one pass, after checking all of it:
     * checksum, format, limits, and every invariant of the store. The new store is built aside and adopted
     * only once the checksum matched: on any problem it throws {@link IllegalArgumentException} and keeps
     * its current state.
     */
    @Override
    public void restore(InputStream snapshot) throws IOException {
        BinaryInput in = new BinaryInput(snapshot, "kv snapshot");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not a kv snapshot (bad magic)");
        }
        int format = in.getByte();
        if (format != SNAPSHOT_FORMAT) {
            throw new IllegalArgumentException("kv snapshot format " + format + " is not " + SNAPSHOT_FORMAT);
        }
        int[] taken = {in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt()};
        int[] ours = {limits.keyBytesMax(), limits.valueBytesMax(), limits.storeBytesMax(), limits.listEntriesMax(),
            limits.listBytesMax()};
        if (!Arrays.equals(taken, ours)) {
            throw new IllegalArgumentException("kv snapshot was taken under limits " + Arrays.toString(taken)
                    + ", this machine has " + Arrays.toString(ours)
                    + " (keyBytesMax, valueBytesMax, storeBytesMax, listEntriesMax, listBytesMax):"
                    + " the limits must match across the cluster");
        }
        long restoredSlot = in.getLong();
        if (restoredSlot < 0) {
            throw new IllegalArgumentException("kv snapshot has applied slot " + restoredSlot);
        }
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException("kv snapshot claims " + count + " entries");
        }
        // Sorted input: a TreeMap built in order, then turned into the persistent map in one go.
        TreeMap<byte[], Stored> restored = new TreeMap<>(UNSIGNED);
        long restoredBytes = 0;
        byte[] previous = null;
        for (int i = 0; i < count; i++) {
            // The limits bound each length before anything is allocated for it.
            byte[] key = in.getBytes(limits.keyBytesMax());
            long version = in.getLong();
            byte[] value = in.getBytes(limits.valueBytesMax());
            if (key.length == 0) {
                throw new IllegalArgumentException("kv snapshot entry " + i + " has an empty key");
            }
            if (version < 1 || version > restoredSlot) {
                throw new IllegalArgumentException("kv snapshot entry " + i + " has version " + version
                        + ", not in 1-" + restoredSlot);
            }
            if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
                throw new IllegalArgumentException("kv snapshot keys are not in increasing order at entry " + i);
            }
            restoredBytes += footprint(key, value);
            if (restoredBytes > limits.storeBytesMax()) {
                throw new IllegalArgumentException("kv snapshot holds more than " + limits.storeBytesMax()
                        + " bytes, the limit");
            }
            restored.put(key, new Stored(value, version));
            previous = key;
        }
        in.expectChecksumAndEnd();
        entries = TreePMap.fromSortedMap(restored);
        storeBytes = restoredBytes;
        appliedSlot = restoredSlot;
    }
}
