package io.paxlog.api.codec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Reads {@link Binary}'s encoding from a stream, keeping the CRC-32C of every byte read, so a snapshot
 * written by {@link BinaryOutput} is read in one pass and its trailer checked at the end ({@link
 * #expectChecksumAndEnd}). A stream cannot be checked before it is read, so whoever restores from one
 * builds the new state aside and adopts it only once the checksum matched.
 *
 * <p>A length is never trusted: {@link #getBytes(int)} takes the largest length the caller allows and
 * refuses a longer one before allocating, so damaged bytes cannot make it allocate more than that.
 * Every problem with the bytes is an {@link IllegalArgumentException} saying what and where; an {@link
 * IOException} comes only from the underlying stream. It buffers; it never closes that stream.
 */
public final class BinaryInput {

    private static final int BUFFER_BYTES = 64 << 10;

    private final InputStream in;
    private final String what;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private final CRC32C crc = new CRC32C();
    private int position;
    private int limit;
    /** Bytes consumed before {@code buffer[0]}. */
    private long base;

    public BinaryInput(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    public int getByte() throws IOException {
        require(1);
        byte value = buffer[position++];
        crc.update(value);
        return value & 0xff;
    }

    public int getInt() throws IOException {
        require(4);
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (buffer[position + i] & 0xff);
        }
        consume(4);
        return value;
    }

    public long getLong() throws IOException {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (buffer[position + i] & 0xff);
        }
        consume(8);
        return value;
    }

    /** A {@code bytes} field of at most {@code lengthMax} bytes. */
    public byte[] getBytes(int lengthMax) throws IOException {
        long at = offset();
        int length = getInt();
        if (length < 0 || length > lengthMax) {
            throw new IllegalArgumentException(what + ": length " + length + " at byte " + at + " is not in 0-"
                    + lengthMax);
        }
        byte[] value = new byte[length];
        readFully(value, 0, length);
        return value;
    }

    /** A {@code string} field of at most {@code bytesMax} bytes of well-formed UTF-8. */
    public String getString(int bytesMax) throws IOException {
        long at = offset();
        byte[] encoded = getBytes(bytesMax);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(encoded)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": the string at byte " + at + " is not UTF-8");
        }
    }

    /** Up to {@code length} raw bytes into {@code into}, as {@link InputStream#read(byte[], int, int)}. */
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position == limit && !fill()) {
            return -1;
        }
        int n = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, n);
        crc.update(buffer, position, n);
        position += n;
        return n;
    }

    /** Exactly {@code length} raw bytes into {@code into}. */
    public void readFully(byte[] into, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = read(into, offset + done, length - done);
            if (n < 0) {
                throw new IllegalArgumentException(what + " ends early: needs " + (length - done)
                        + " more bytes at byte " + offset());
            }
            done += n;
        }
    }

    /** Bytes read so far. */
    public long offset() {
        return base + position;
    }

    /**
     * Reads the CRC-32C trailer, checks it against every byte read before it, and checks the stream ends
     * there.
     */
    public void expectChecksumAndEnd() throws IOException {
        int expected = (int) crc.getValue();
        long at = offset();
        require(4);
        int found = 0;
        for (int i = 0; i < 4; i++) {
            found = (found << 8) | (buffer[position + i] & 0xff);
        }
        position += 4;
        if (found != expected) {
            throw new IllegalArgumentException(what + " fails its checksum at byte " + at + ": damaged or not a"
                    + " snapshot");
        }
        if (position < limit || fill()) {
            throw new IllegalArgumentException(what + ": unexpected bytes after the checksum at byte " + at);
        }
    }

    private void consume(int count) {
        crc.update(buffer, position, count);
        position += count;
    }

    /** Makes {@code count} (at most 8) bytes available at {@code position}. */
    private void require(int count) throws IOException {
        if (limit - position >= count) {
            return;
        }
        int kept = limit - position;
        System.arraycopy(buffer, position, buffer, 0, kept);
        base += position;
        position = 0;
        limit = kept;
        while (limit < count) {
            int n = in.read(buffer, limit, BUFFER_BYTES - limit);
            if (n < 0) {
                throw new IllegalArgumentException(what + " ends early: needs " + count + " bytes at byte "
                        + offset() + ", has " + limit);
            }
            limit += n;
        }
    }

    /** Refills an empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        base += position;
        position = 0;
        limit = 0;
        int n;
        do {
            n = in.read(buffer, 0, BUFFER_BYTES);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        limit = n;
        return true;
    }

    /** Checks that the stream ends here (for an encoding without a trailer). */
    public void expectEnd() throws IOException {
        if (position < limit || fill()) {
            throw new IllegalArgumentException(what + ": unexpected bytes after byte " + offset());
        }
    }
}
