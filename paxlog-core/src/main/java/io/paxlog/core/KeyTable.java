package io.paxlog.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The idempotency keys of the exactly-once table: per key (a client id in {@link ClientIds#isKeyed the
 * keyed range}, sequence 1) the digest of the command it was applied with, its slot, its result and the
 * log time it was applied at. In order of application, which is the order they expire in: log time
 * never goes back, so a clock command costs only the entries it drops.
 *
 * <p>Thread: owned by the thread that applies commands.
 */
final class KeyTable {

    /** Bytes of SHA-256 kept per key: 128 bits tell two bodies apart as well as the 256. */
    static final int DIGEST_BYTES = 16;
    /** The digest of an entry restored from a snapshot before keys had digests: any body matches it. */
    static final byte[] DIGEST_UNKNOWN = new byte[0];

    record Entry(byte[] digest, long slot, byte[] result, long appliedAt) {}

    /** An entry as written in a snapshot. */
    record Frozen(long id, Entry entry) {}

    private final LinkedHashMap<Long, Entry> keys = new LinkedHashMap<>();
    private final MessageDigest sha256;

    KeyTable() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }

    byte[] digest(byte[] payload) {
        return Arrays.copyOf(sha256.digest(payload), DIGEST_BYTES);
    }

    Entry get(long id) {
        return keys.get(id);
    }

    int size() {
        return keys.size();
    }

    static boolean matches(Entry entry, byte[] digest) {
        return entry.digest().length == 0 || Arrays.equals(entry.digest(), digest);
    }

    void put(long id, Entry entry) {
        if (keys.putIfAbsent(id, entry) != null) {
            throw new IllegalStateException("key " + id + " is already in the table");
        }
    }

    /** The first clock of a log: entries applied before it count as applied at its time. */
    void touchAll(long logTime) {
        keys.replaceAll((id, entry) -> new Entry(entry.digest(), entry.slot(), entry.result(), logTime));
    }

    /** Drops every entry applied longer than {@code ttlMs} before {@code logTime}; returns how many. */
    int expire(long logTime, long ttlMs) {
        int dropped = 0;
        Iterator<Entry> oldestFirst = keys.values().iterator();
        while (oldestFirst.hasNext()) {
            if (logTime - oldestFirst.next().appliedAt() <= ttlMs) {
                break;
            }
            oldestFirst.remove();
            dropped++;
        }
        return dropped;
    }

    /** Entries are never modified once put, so a copy of the references is a consistent view. */
    List<Frozen> freeze() {
        List<Frozen> frozen = new ArrayList<>(keys.size());
        keys.forEach((id, entry) -> frozen.add(new Frozen(id, entry)));
        return frozen;
    }

    void replace(List<Frozen> frozen) {
        keys.clear();
        for (Frozen entry : frozen) {
            if (keys.put(entry.id(), entry.entry()) != null) {
                throw new IllegalArgumentException("exactly-once snapshot holds key " + entry.id() + " twice");
            }
        }
    }
}
