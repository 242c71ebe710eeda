package io.paxlog.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounds a {@link KvMachine} enforces while applying commands. They decide results (a key one byte
 * too long is refused), so they are part of the replicated behaviour: every server of a cluster must use
 * the same ones. A snapshot records them, and a machine refuses a snapshot taken under other limits.
 *
 * @param keyBytesMax    largest key; also bounds a list's prefix and cursor
 * @param valueBytesMax  largest value
 * @param storeBytesMax  largest store, counted as {@link KvMachine#ENTRY_OVERHEAD_BYTES} plus key and value
 *                       bytes per entry (so it also bounds the snapshot's size); a put that would pass it
 *                       is refused
 * @param listEntriesMax most entries one list returns, whatever limit the command asks for
 * @param listBytesMax   a list stops before its keys and values pass this many bytes, but returns at least
 *                       one entry when there is one
 */
public record KvLimits(int keyBytesMax, int valueBytesMax, int storeBytesMax, int listEntriesMax, int listBytesMax) {

    public static final int KEY_BYTES_MAX_DEFAULT = 1 << 10;
    public static final int VALUE_BYTES_MAX_DEFAULT = 1 << 20;
    public static final int STORE_BYTES_MAX_DEFAULT = 256 << 20;
    public static final int LIST_ENTRIES_MAX_DEFAULT = 1000;
    public static final int LIST_BYTES_MAX_DEFAULT = 4 << 20;
    /** A snapshot is one array, so the store must stay well below the largest array. */
    public static final int STORE_BYTES_LIMIT = 1 << 30;

    public static final KvLimits DEFAULTS = new KvLimits(KEY_BYTES_MAX_DEFAULT, VALUE_BYTES_MAX_DEFAULT,
            STORE_BYTES_MAX_DEFAULT, LIST_ENTRIES_MAX_DEFAULT, LIST_BYTES_MAX_DEFAULT);

    public KvLimits {
        List<String> problems = new ArrayList<>();
        positive(problems, "keyBytesMax", keyBytesMax);
        positive(problems, "valueBytesMax", valueBytesMax);
        positive(problems, "storeBytesMax", storeBytesMax);
        positive(problems, "listEntriesMax", listEntriesMax);
        positive(problems, "listBytesMax", listBytesMax);
        if (storeBytesMax > STORE_BYTES_LIMIT) {
            problems.add("storeBytesMax: " + storeBytesMax + " is above " + STORE_BYTES_LIMIT);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static void positive(List<String> problems, String name, int value) {
        if (value < 1) {
            problems.add(name + ": must be positive, was " + value);
        }
    }
}
