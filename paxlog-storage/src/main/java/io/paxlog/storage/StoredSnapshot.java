package io.paxlog.storage;

import io.paxlog.api.storage.SnapshotContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A snapshot the log saved, served from its file: the core reads the window of chunks it sends, so a
 * durable snapshot is not kept in the heap beside the state it was taken from. The file never changes
 * once renamed into place; it is deleted when a newer snapshot is durable, after which a read fails
 * (the core then drops that request: the asker asks again and is served the newer one).
 *
 * <p>Thread: {@link #read} on the loop thread, while the committer thread may save or delete other
 * snapshot files; each read opens the file for itself, so nothing here is shared.
 */
final class StoredSnapshot implements SnapshotContent {

    private final FileLayer files;
    private final String name;
    private final long slot;
    private final long size;
    private final int checksum;

    StoredSnapshot(FileLayer files, long slot, long size, int checksum) {
        this.files = files;
        this.name = SnapshotFiles.name(slot);
        this.slot = slot;
        this.size = size;
        this.checksum = checksum;
    }

    @Override
    public long slot() {
        return slot;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int checksum() {
        return checksum;
    }

    @Override
    public byte[] read(long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + length + " of a snapshot of " + size);
        }
        byte[] bytes = new byte[length];
        ByteBuffer into = ByteBuffer.wrap(bytes);
        try (LogFile file = files.open(name, OpenMode.READ)) {
            while (into.hasRemaining()) {
                if (file.read(into, SnapshotFiles.HEADER_BYTES + offset + into.position()) < 0) {
                    throw new IOException("ended at byte " + (offset + into.position()) + " of " + size);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading snapshot " + files.describe(name) + ": " + e.getMessage(), e);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "snapshot@" + slot + "(" + size + "B in " + name + ")";
    }
}
