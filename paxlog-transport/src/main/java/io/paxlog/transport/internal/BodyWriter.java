package io.paxlog.transport.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds a frame body, big-endian, growing as needed. Not thread-safe: one per body. */
public final class BodyWriter {

    private byte[] bytes;
    private int size;

    /** {@code initialCapacity}: the exact body length when known, which spares growing and trimming. */
    public BodyWriter(int initialCapacity) {
        bytes = new byte[Math.max(1, initialCapacity)];
    }

    public BodyWriter writeByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    public BodyWriter writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    public BodyWriter writeInt(int value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    public BodyWriter writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** A length (int) followed by the bytes. */
    public BodyWriter writeSizedBytes(byte[] value) {
        writeInt(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
        return this;
    }

    /** UTF-8, sized like {@link #writeSizedBytes}. */
    public BodyWriter writeString(String value) {
        return writeSizedBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The body written. When the writer was sized exactly, its own array, not a copy: a writer is done
     * once its body is taken, so nothing writes to that array again.
     */
    public byte[] toByteArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            long wanted = Math.max((long) bytes.length * 2, (long) size + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("body over 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }
}
