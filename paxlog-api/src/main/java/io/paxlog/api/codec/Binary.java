package io.paxlog.api.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Big-endian writing and reading of the few types that commands, results and snapshots need, on plain
 * byte arrays: one codec for the core's exactly-once snapshots and for the state machines built on the
 * API (key-value, locks), so each does not carry its own copy. {@code bytes} is {@code length:int} followed by that many bytes; {@code string} is
 * {@code bytes} holding well-formed UTF-8 (checked both ways: an unpaired surrogate is not encoded as
 * {@code ?}, and malformed UTF-8 is not decoded as U+FFFD, so a string round-trips exactly or not at all).
 *
 * <p>The reader never trusts a length: it checks it against the bytes that are left before allocating,
 * so a corrupt or hostile length cannot make it allocate more than the input's size. Every problem is an
 * {@link IllegalArgumentException} that says what was wrong and where.
 */
public final class Binary {

    private Binary() {}

    public static final class Writer {
        private byte[] bytes;
        private int size;

        public Writer() {
            this(64);
        }

        public Writer(int expectedBytes) {
            bytes = new byte[Math.max(16, expectedBytes)];
        }

        public Writer putByte(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
            return this;
        }

        public Writer putInt(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        public Writer putLong(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        public Writer putBytes(byte[] value) {
            putInt(value.length);
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
            return this;
        }

        public Writer putString(String value) {
            return putBytes(utf8(value));
        }

        public byte[] finish() {
            return Arrays.copyOf(bytes, size);
        }

        /** The bytes written, followed by their CRC-32C. */
        public byte[] finishWithChecksum() {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, size);
            putInt((int) crc.getValue());
            return finish();
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    public static final class Reader {
        private final byte[] bytes;
        private final int end;
        private final String what;
        private int position;

        public Reader(byte[] bytes, String what) {
            this(bytes, bytes.length, what);
        }

        private Reader(byte[] bytes, int end, String what) {
            this.bytes = bytes;
            this.end = end;
            this.what = what;
        }

        /** A reader of everything before a CRC-32C trailer, which it checks first: nothing unverified is read. */
        public static Reader checked(byte[] bytes, String what) {
            if (bytes.length < 4) {
                throw new IllegalArgumentException(what + " is truncated: " + bytes.length + " bytes");
            }
            int end = bytes.length - 4;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, end);
            Reader trailer = new Reader(bytes, what);
            trailer.position = end;
            if (trailer.getInt() != (int) crc.getValue()) {
                throw new IllegalArgumentException(what + " fails its checksum: damaged or not a snapshot");
            }
            return new Reader(bytes, end, what);
        }

        public int getByte() {
            require(1);
            return bytes[position++] & 0xff;
        }

        public int getInt() {
            require(4);
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value = (value << 8) | (bytes[position++] & 0xff);
            }
            return value;
        }

        public long getLong() {
            require(8);
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (bytes[position++] & 0xff);
            }
            return value;
        }

        public byte[] getBytes() {
            int at = position;
            int length = getInt();
            if (length < 0) {
                throw new IllegalArgumentException(what + ": negative length " + length + " at byte " + at);
            }
            require(length);
            byte[] value = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        public String getString() {
            int at = position;
            byte[] encoded = getBytes();
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(encoded)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(what + ": the string at byte " + at + " is not UTF-8");
            }
        }

        public void expectEnd() {
            if (position != end) {
                throw new IllegalArgumentException(what + ": " + (end - position) + " unexpected bytes after byte "
                        + position);
            }
        }

        private void require(int count) {
            if (count > end - position) {
                throw new IllegalArgumentException(what + " ends early: needs " + count + " bytes at byte " + position
                        + ", has " + (end - position));
            }
        }
    }

    /** The UTF-8 bytes of {@code value}; throws {@link IllegalArgumentException} if it is not well-formed UTF-16. */
    public static byte[] utf8(String value) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value));
            return Arrays.copyOf(encoded.array(), encoded.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not a well-formed string (unpaired surrogate): " + value);
        }
    }

    /** Up to 16 bytes in hex, for messages and {@code toString}. */
    public static String preview(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length + "B:");
        for (int i = 0; i < Math.min(bytes.length, 16); i++) {
            text.append(String.format("%02x", bytes[i]));
        }
        return bytes.length > 16 ? text.append("...").toString() : text.toString();
    }
}
