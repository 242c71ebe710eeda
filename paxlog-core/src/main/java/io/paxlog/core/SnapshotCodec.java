package io.paxlog.core;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Big-endian writing and reading of the few types a snapshot needs, on plain byte arrays (the core
 * does no I/O, not even through buffers), with a CRC-32C trailer over everything written.
 */
final class SnapshotCodec {

    private SnapshotCodec() {}

    static final class Writer {
        private byte[] bytes = new byte[256];
        private int size;

        Writer putByte(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
            return this;
        }

        Writer putInt(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        Writer putLong(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        Writer putBytes(byte[] value) {
            putInt(value.length);
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
            return this;
        }

        /** The bytes written, followed by their CRC-32C. */
        byte[] finishWithChecksum() {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, size);
            putInt((int) crc.getValue());
            return Arrays.copyOf(bytes, size);
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    static final class Reader {
        private final byte[] bytes;
        private final int end;
        private int position;

        /** Checks the CRC-32C trailer first: nothing is read from bytes that do not verify. */
        Reader(byte[] bytes, String what) {
            if (bytes.length < 4) {
                throw new IllegalArgumentException(what + " is truncated: " + bytes.length + " bytes");
            }
            this.bytes = bytes;
            this.end = bytes.length - 4;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, end);
            int stored = readIntAt(end);
            if (stored != (int) crc.getValue()) {
                throw new IllegalArgumentException(what + " fails its checksum: damaged or not a snapshot");
            }
        }

        int getByte() {
            require(1);
            return bytes[position++] & 0xff;
        }

        int getInt() {
            require(4);
            int value = readIntAt(position);
            position += 4;
            return value;
        }

        long getLong() {
            require(8);
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (bytes[position++] & 0xff);
            }
            return value;
        }

        byte[] getBytes() {
            int length = getInt();
            if (length < 0) {
                throw new IllegalArgumentException("negative length " + length + " at byte " + (position - 4));
            }
            require(length);
            byte[] value = Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return value;
        }

        void expectEnd() {
            if (position != end) {
                throw new IllegalArgumentException((end - position) + " unexpected bytes at the end of the snapshot");
            }
        }

        private void require(int count) {
            if (count > end - position) {
                throw new IllegalArgumentException("snapshot ends early: needs " + count + " bytes at byte " + position);
            }
        }

        private int readIntAt(int at) {
            return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                    | (bytes[at + 3] & 0xff);
        }
    }
}
