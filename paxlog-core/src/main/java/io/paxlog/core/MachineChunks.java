package io.paxlog.core;

import io.paxlog.api.codec.BinaryInput;
import io.paxlog.api.codec.BinaryOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How an exactly-once snapshot frames the state machine's bytes: in chunks of {@link #CHUNK_BYTES}
 * (the last one shorter) then a 0 length, since their length is not known up front. The cut does not
 * depend on how the machine wrote them, so the same state gives the same bytes.
 */
final class MachineChunks {

    static final int CHUNK_BYTES = 64 << 10;

    private MachineChunks() {}

    /** Cuts the machine's bytes into {@code length:int bytes} chunks of a fixed size, then a 0 length. */
    static final class ChunkedOutput extends OutputStream {
        private final BinaryOutput frame;
        private final byte[] chunk = new byte[CHUNK_BYTES];
        private int size;

        ChunkedOutput(BinaryOutput frame) {
            this.frame = frame;
        }

        @Override
        public void write(int b) throws IOException {
            if (size == chunk.length) {
                emit();
            }
            chunk[size++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (size == chunk.length) {
                    emit();
                }
                int n = Math.min(length, chunk.length - size);
                System.arraycopy(bytes, offset, chunk, size, n);
                size += n;
                offset += n;
                length -= n;
            }
        }

        void finish() throws IOException {
            if (size > 0) {
                emit();
            }
            frame.putInt(0);
        }

        private void emit() throws IOException {
            frame.putInt(size);
            frame.write(chunk, 0, size);
            size = 0;
        }
    }

    /** The machine's bytes back out of their chunks; ends at the 0 length. */
    static final class ChunkedInput extends InputStream {
        private final BinaryInput frame;
        private int left;
        private boolean ended;

        ChunkedInput(BinaryInput frame) {
            this.frame = frame;
        }

        boolean atEnd() throws IOException {
            return ended || (left == 0 && !next());
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (left == 0 && !next()) {
                return -1;
            }
            int n = frame.read(into, offset, Math.min(length, left));
            if (n < 0) {
                throw new IllegalArgumentException("exactly-once snapshot ends inside the state machine's bytes");
            }
            left -= n;
            return n;
        }

        private boolean next() throws IOException {
            if (ended) {
                return false;
            }
            int length = frame.getInt();
            if (length < 0 || length > CHUNK_BYTES) {
                throw new IllegalArgumentException("exactly-once snapshot has a state machine chunk of " + length
                        + " bytes");
            }
            ended = length == 0;
            left = length;
            return !ended;
        }
    }
}
