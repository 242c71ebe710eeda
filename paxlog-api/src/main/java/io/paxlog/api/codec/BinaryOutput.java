package io.paxlog.api.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * {@link Binary.Writer}'s encoding, written to a stream instead of an array, with the CRC-32C of every
 * byte kept as it goes: a snapshot of any size is written in one pass, in bounded memory, and ends with
 * the same checksum trailer {@link Binary.Reader#checked} and {@link BinaryInput} verify. So a state
 * written through this class and through {@link Binary.Writer#finishWithChecksum} gives the same bytes.
 *
 * <p>It buffers (64 KiB) and writes to the underlying stream only whole buffers and on {@link #flush};
 * it never closes that stream. Thread: one at a time.
 */
public final class BinaryOutput extends OutputStream {

    private static final int BUFFER_BYTES = 64 << 10;

    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private final CRC32C crc = new CRC32C();
    private int size;
    private long written;

    public BinaryOutput(OutputStream out) {
        this.out = out;
    }

    public BinaryOutput putByte(int value) throws IOException {
        room(1);
        buffer[size++] = (byte) value;
        return this;
    }

    public BinaryOutput putInt(int value) throws IOException {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    public BinaryOutput putLong(long value) throws IOException {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** {@code length:int} and the bytes, as {@link Binary.Writer#putBytes}. */
    public BinaryOutput putBytes(byte[] value) throws IOException {
        putInt(value.length);
        write(value, 0, value.length);
        return this;
    }

    public BinaryOutput putString(String value) throws IOException {
        return putBytes(Binary.utf8(value));
    }

    /** Raw bytes, no length: part of an encoding the caller frames itself. */
    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length >= BUFFER_BYTES) {
            drain();
            crc.update(bytes, offset, length);
            out.write(bytes, offset, length);
            written += length;
            return;
        }
        room(length);
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
    }

    @Override
    public void write(int b) throws IOException {
        putByte(b);
    }

    /** Bytes written so far, the trailer excluded. */
    public long written() {
        return written + size;
    }

    /** Writes the CRC-32C of every byte before it, then flushes: the encoding is complete. */
    public void finishWithChecksum() throws IOException {
        drain();
        int checksum = (int) crc.getValue();
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (checksum >>> shift);
        }
        // The trailer is not part of what it checks: write it without updating the checksum.
        out.write(buffer, 0, size);
        written += size;
        size = 0;
        out.flush();
    }

    /** Hands what is buffered to the underlying stream and flushes it; does not close it. */
    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void room(int more) throws IOException {
        if (size + more > BUFFER_BYTES) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (size > 0) {
            crc.update(buffer, 0, size);
            out.write(buffer, 0, size);
            written += size;
            size = 0;
        }
    }
}
