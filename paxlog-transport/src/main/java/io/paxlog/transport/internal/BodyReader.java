package io.paxlog.transport.internal;

import io.paxlog.transport.codec.DecodeException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a frame body written by {@link BodyWriter}, refusing anything malformed with a
 * {@link DecodeException}: reads past the end, negative lengths, counts that the remaining bytes
 * cannot hold (so no list or array is ever sized from an unchecked count), invalid UTF-8.
 */
public final class BodyReader {

    private final byte[] bytes;
    private int position;

    public BodyReader(byte[] bytes) {
        this.bytes = bytes;
    }

    public int remaining() {
        return bytes.length - position;
    }

    public byte readByte() throws DecodeException {
        require(1, "a byte");
        return bytes[position++];
    }

    public boolean readBoolean() throws DecodeException {
        byte value = readByte();
        if (value != 0 && value != 1) {
            throw new DecodeException("boolean byte must be 0 or 1, was " + value);
        }
        return value == 1;
    }

    public int readInt() throws DecodeException {
        require(4, "an int");
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    public long readLong() throws DecodeException {
        require(8, "a long");
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    /**
     * A count of elements that each take at least {@code elementBytesMin} bytes; refused if negative
     * or if the rest of the body is too short to hold that many.
     */
    public int readCount(int elementBytesMin, String what) throws DecodeException {
        int count = readInt();
        if (count < 0) {
            throw new DecodeException("negative " + what + " count " + count);
        }
        if ((long) count * elementBytesMin > remaining()) {
            throw new DecodeException(what + " count " + count + " does not fit in the " + remaining() + " bytes left");
        }
        return count;
    }

    public byte[] readSizedBytes(String what) throws DecodeException {
        int length = readInt();
        if (length < 0) {
            throw new DecodeException("negative " + what + " length " + length);
        }
        require(length, what);
        byte[] value = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    public String readString(String what) throws DecodeException {
        byte[] utf8 = readSizedBytes(what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new DecodeException(what + " is not valid UTF-8");
        }
    }

    /** Refuses trailing bytes: a body must be exactly one value. */
    public void finish(String what) throws DecodeException {
        if (remaining() != 0) {
            throw new DecodeException(remaining() + " unexpected bytes after the " + what);
        }
    }

    private void require(int count, String what) throws DecodeException {
        if (count > remaining()) {
            throw new DecodeException("body ends early: " + what + " needs " + count + " bytes, " + remaining() + " left");
        }
    }
}
