package io.paxlog.kv;

import io.paxlog.api.codec.Binary;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link KvCommand} did. Every outcome is a value, including refusals: applying a command never
 * throws, so every replica gives the same answer to the same command.
 *
 * <p>Versions are slots: {@code version} is the slot of the command that last wrote the key.
 */
public sealed interface KvResult {

    /** A get found the key. */
    record Found(byte[] value, long version) implements KvResult {
        public Found {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Found f && Arrays.equals(f.value, value) && f.version == version;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value) * 31 + Long.hashCode(version);
        }

        @Override
        public String toString() {
            return "Found[" + Binary.preview(value) + " v" + version + "]";
        }
    }

    /** A get or an unconditional delete found no such key. */
    record NotFound() implements KvResult {}

    /** A put wrote the value; {@code version} is its slot. */
    record Written(long version) implements KvResult {}

    /** A delete removed the key, which had {@code previousVersion}. */
    record Deleted(long previousVersion) implements KvResult {}

    /**
     * A conditional put or delete did nothing because its condition did not hold; {@code currentVersion}
     * is the key's version, 0 if the key is absent.
     */
    record ConditionFailed(long currentVersion) implements KvResult {}

    /**
     * A page of a list, in key order. {@code more} says whether further keys with the prefix follow the
     * last one returned: page on with that key as the next cursor.
     */
    record Page(List<KvEntry> entries, boolean more) implements KvResult {
        public Page {
            entries = List.copyOf(entries);
        }
    }

    /** The command was refused before it changed anything; {@code message} is for people. */
    record Rejected(Code code, String message) implements KvResult {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a command was refused. Each has a fixed wire value, independent of declaration order. */
    enum Code {
        /** The command's bytes are not a command of this format. */
        MALFORMED(1),
        /** Well-formed but meaningless: the empty key, a list limit below 1. */
        INVALID_ARGUMENT(2),
        /** A key, prefix or cursor longer than {@link KvLimits#keyBytesMax()}. */
        KEY_TOO_LARGE(3),
        /** A value longer than {@link KvLimits#valueBytesMax()}. */
        VALUE_TOO_LARGE(4),
        /** The put would take the store past {@link KvLimits#storeBytesMax()}. */
        STORE_FULL(5);

        final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        static Code fromWire(int wire) {
            for (Code code : values()) {
                if (code.wire == wire) {
                    return code;
                }
            }
            throw new IllegalArgumentException("unknown kv refusal code " + wire);
        }
    }

    /** One key with its value and version. */
    record KvEntry(byte[] key, byte[] value, long version) {
        public KvEntry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KvEntry e && Arrays.equals(e.key, key) && Arrays.equals(e.value, value)
                    && e.version == version;
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(key) * 31 + Arrays.hashCode(value)) * 31 + Long.hashCode(version);
        }

        @Override
        public String toString() {
            return Binary.preview(key) + "=" + Binary.preview(value) + " v" + version;
        }
    }
}
