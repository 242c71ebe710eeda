package io.paxlog.kv;

import io.paxlog.api.codec.Binary;
import java.util.Arrays;
import java.util.Objects;

/**
 * A command to the key-value store, as a client builds it; {@link KvCommands} turns it into the bytes
 * of a log entry and back. Byte arrays are owned by the command: do not modify them after building it.
 *
 * <p>Keys are compared as unsigned bytes, lexicographically (a key sorts after its own prefixes). The
 * empty key is not a key: every command naming it is refused ({@link KvResult.Code#INVALID_ARGUMENT}),
 * which leaves the empty array free to mean "from the start" as a list cursor.
 */
public sealed interface KvCommand {

    /** The value and version of {@code key}: {@link KvResult.Found} or {@link KvResult.NotFound}. */
    record Get(byte[] key) implements KvCommand {
        public Get {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Get g && Arrays.equals(g.key, key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "Get[" + Binary.preview(key) + "]";
        }
    }

    /**
     * Sets {@code key} to {@code value} if {@code condition} holds: {@link KvResult.Written} with the new
     * version, or {@link KvResult.ConditionFailed}. A compare-and-set is a put with
     * {@link Condition#versionIs}; create-only-if-absent is a put with {@link Condition#absent}.
     */
    record Put(byte[] key, byte[] value, Condition condition) implements KvCommand {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(condition, "condition");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Put p && Arrays.equals(p.key, key) && Arrays.equals(p.value, value)
                    && p.condition.equals(condition);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(key) * 31 + Arrays.hashCode(value)) * 31 + condition.hashCode();
        }

        @Override
        public String toString() {
            return "Put[" + Binary.preview(key) + " = " + Binary.preview(value) + ", " + condition + "]";
        }
    }

    /**
     * Removes {@code key} if {@code condition} holds: {@link KvResult.Deleted}, {@link KvResult.NotFound}
     * (no condition, no key) or {@link KvResult.ConditionFailed}. Deleting "only if absent" means nothing,
     * so that condition is refused here.
     */
    record Delete(byte[] key, Condition condition) implements KvCommand {
        public Delete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(condition, "condition");
            if (condition.kind() == Condition.Kind.ABSENT) {
                throw new IllegalArgumentException("a delete cannot require the key to be absent");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Delete d && Arrays.equals(d.key, key) && d.condition.equals(condition);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + condition.hashCode();
        }

        @Override
        public String toString() {
            return "Delete[" + Binary.preview(key) + ", " + condition + "]";
        }
    }

    /**
     * Up to {@code limit} entries whose key starts with {@code prefix} and sorts strictly after
     * {@code after}, in key order: a {@link KvResult.Page}. Page on by passing the last key returned as the
     * next {@code after}; the empty {@code after} starts at the beginning.
     */
    record ListPrefix(byte[] prefix, byte[] after, int limit) implements KvCommand {
        public ListPrefix {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(after, "after");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ListPrefix l && Arrays.equals(l.prefix, prefix) && Arrays.equals(l.after, after)
                    && l.limit == limit;
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(prefix) * 31 + Arrays.hashCode(after)) * 31 + limit;
        }

        @Override
        public String toString() {
            return "ListPrefix[" + Binary.preview(prefix) + " after " + Binary.preview(after) + ", limit " + limit + "]";
        }
    }

    /**
     * When a write may happen.
     *
     * @param expectedVersion the version the key must have; only for {@link Kind#VERSION_IS}, else 0
     */
    record Condition(Kind kind, long expectedVersion) {

        public enum Kind {
            /** Unconditionally. */
            ALWAYS,
            /** Only if the key exists with exactly this version (compare-and-set, HTTP {@code If-Match}). */
            VERSION_IS,
            /** Only if the key does not exist (HTTP {@code If-None-Match: *}). */
            ABSENT
        }

        private static final Condition ALWAYS = new Condition(Kind.ALWAYS, 0);
        private static final Condition ABSENT = new Condition(Kind.ABSENT, 0);

        public Condition {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.VERSION_IS && expectedVersion < 1) {
                throw new IllegalArgumentException("versions are slots, which start at 1; expected version was "
                        + expectedVersion);
            }
            if (kind != Kind.VERSION_IS && expectedVersion != 0) {
                throw new IllegalArgumentException(kind + " takes no version, was given " + expectedVersion);
            }
        }

        public static Condition always() {
            return ALWAYS;
        }

        public static Condition versionIs(long expectedVersion) {
            return new Condition(Kind.VERSION_IS, expectedVersion);
        }

        public static Condition absent() {
            return ABSENT;
        }
    }
}
