package io.paxlog.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file of a {@link FileLayer}: positional reads and writes, force, truncate.
 *
 * <p>Contract: writes reach the page cache only; they are durable once {@link #force} returns. A
 * write may be lost or torn (a prefix of it kept) by a crash before that. After {@code force} fails
 * the file's durable content is unknown: callers must not retry and treat it as durable (on Linux a
 * failed fsync may drop the dirty pages and a second fsync then "succeeds").
 *
 * <p>Thread: not thread-safe; one thread uses a file at a time.
 */
public interface LogFile extends Closeable {

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position}.
     *
     * @return bytes read, or -1 when {@code position} is at or past the end of the file
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes some of {@code src} at {@code position}, growing the file as needed.
     *
     * @return bytes written; may be fewer than {@code src.remaining()} (callers loop)
     */
    int write(ByteBuffer src, long position) throws IOException;

    /**
     * Makes every write so far durable. With {@code metadata} false only the content and what is
     * needed to read it back are forced (fdatasync); pass true after the file grew or shrank.
     */
    void force(boolean metadata) throws IOException;

    /** Cuts the file to {@code size} bytes; durable after the next {@code force(true)}. */
    void truncate(long size) throws IOException;

    long size() throws IOException;

    @Override
    void close() throws IOException;
}
