package io.paxlog.api.storage;

/**
 * A saved snapshot as the core serves it to other servers, a window of chunks at a time: whole in memory
 * ({@link Snapshot}), or in the store's file, read a piece at a time so that a large snapshot is not also
 * kept in the heap.
 *
 * <p>Contract: the bytes never change (a snapshot file is written once and renamed into place). {@link
 * #read} is called on the loop thread with a range inside {@code 0..size()}; a stored snapshot reads it
 * from the page cache or the disk, which costs about what sending it does. A store may delete a file once
 * a newer snapshot is durable; a read of a deleted one fails with {@link
 * java.io.UncheckedIOException}, and the core then drops that request, as if it were lost (the asker asks
 * again and gets the newer snapshot).
 */
public interface SnapshotContent {

    /** Every slot up to this one is in the snapshot. */
    long slot();

    /** Bytes of data (the core's framing of the exactly-once table and the machine's state). */
    long size();

    /** CRC-32C of all {@link #size()} bytes: what a receiver checks before installing them. */
    int checksum();

    /**
     * {@code length} bytes from {@code offset}.
     *
     * @throws java.io.UncheckedIOException when a stored snapshot cannot be read (deleted, or the disk failed)
     */
    byte[] read(long offset, int length);
}
