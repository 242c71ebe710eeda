package io.paxlog.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A sliding window over a file being scanned front to back, so that recovery reads each byte about
 * once, in large reads, however small the records are. The window grows to hold the largest record
 * asked for (at most {@link RecordCodec#RECORD_BYTES_MAX}).
 *
 * <p>Thread: confined to the scanning thread.
 */
final class ReadWindow {

    private static final int INITIAL_BYTES = 1 << 20;

    private final LogFile file;
    private final long fileSize;
    private byte[] buffer;
    private long start;
    private int filled;

    ReadWindow(LogFile file, long fileSize) {
        this.file = file;
        this.fileSize = fileSize;
        // Small files (the simulator's, the tests') should not cost a megabyte each to read.
        this.buffer = new byte[(int) Math.max(64, Math.min(INITIAL_BYTES, fileSize))];
    }

    /**
     * Makes the bytes {@code [position, position + count)} that exist in the file available in {@link
     * #array()}; returns how many exist (fewer than {@code count} near the end of the file).
     */
    int load(long position, int count) throws IOException {
        int available = (int) Math.max(0, Math.min(count, fileSize - position));
        if (available == 0) {
            return 0;
        }
        if (position >= start && position + available <= start + filled) {
            return available;
        }
        if (buffer.length < available) {
            buffer = new byte[Math.max(available, buffer.length * 2)];
        }
        start = position;
        filled = 0;
        int wanted = (int) Math.min(buffer.length, fileSize - position);
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, wanted);
        while (target.hasRemaining()) {
            if (file.read(target, position + target.position()) < 0) {
                throw new IOException("file shrank to " + (position + target.position())
                        + " bytes while recovery read it (expected " + fileSize + "): is another process using it?");
            }
        }
        filled = wanted;
        return available;
    }

    byte[] array() {
        return buffer;
    }

    /** Index in {@link #array()} of file offset {@code position}, which the last {@link #load} covered. */
    int at(long position) {
        return (int) (position - start);
    }
}
