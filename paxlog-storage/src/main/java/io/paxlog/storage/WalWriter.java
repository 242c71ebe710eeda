package io.paxlog.storage;

import io.paxlog.api.Epoch;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Appends records to the log's segment files and makes them durable.
 *
 * <h2>On-disk format, version 1</h2>
 *
 * A log is a directory of segments {@code segment-<index>.wal}, the index written with 20 decimal
 * digits and counting 1, 2, 3, ... without gaps (after compaction the first kept segment may have a
 * higher index; snapshot files beside them are described on {@link SnapshotFiles}). Integers are big-endian. A segment is a 128-byte
 * header followed by records, then either the end of the file or zeros to the end of a preallocated
 * file (a zero length field marks the end).
 *
 * <pre>
 * Segment header (128 bytes)
 *   offset size  field
 *        0    8  magic "PAXLOGWL" (0x5041584C4F47574C)
 *        8    4  format version = 1
 *       12    4  header length = 128
 *       16    8  segment index (equals the index in the file name)
 *       24    4  server id
 *       28    2  cluster id length n, 1..64
 *       30   64  cluster id, n ASCII bytes from [A-Za-z0-9._-], zero padded
 *       94   30  reserved, zero
 *      124    4  CRC-32C of bytes 0..123
 *   Every format version keeps the magic, the version field and this checksum where they are, so a
 *   header from another version (valid checksum) is always told from a damaged one (invalid).
 *
 * Record (29-byte frame, then a body for entries)
 *   offset size  field
 *        0    4  length of the whole record in bytes, frame included (29 .. 16 MiB)
 *        4    4  CRC-32C of: segment index (8 bytes), this record's offset in the segment (8 bytes),
 *                then bytes 8 .. length-1 of the record. Index and offset are not stored: a record is
 *                valid only at the place it was written.
 *        8    1  type: 1 PROMISE, 2 ENTRY, 3 FINALIZE, 4 SNAPSHOT_MARKER (reserved)
 *        9    8  slot (0 for PROMISE)
 *       17    8  epoch round (0 for FINALIZE)
 *       25    4  epoch server id (0 for FINALIZE)
 *   ENTRY body:
 *       29    8  client id
 *       37    8  client sequence
 *       45    4  payload length p (= length - 49)
 *       49    p  payload
 * </pre>
 *
 * A batch is written as its promise (if any), then its entries, then its finalize marks. Every segment
 * after the first begins with a PROMISE record repeating the current promise, so the newest promise
 * survives when older segments are deleted by compaction ({@link #compact}, after a snapshot).
 *
 * <h2>Durability order</h2>
 * <ul>
 *   <li>A group of records is written, then the segment is forced once ({@link #sync}); only then may
 *       any of them be reported durable.
 *   <li>A full segment is forced before the next one is created, so only the last segment can ever
 *       hold an unfinished write; recovery relies on it.
 *   <li>A new segment's header (and preallocated zeros) is forced and the directory synced before any
 *       record goes into it, so a crash cannot lose an acknowledged record with its file name.
 *   <li>Appends within preallocated space need only a data sync; an append that grows the file forces
 *       the metadata too.
 * </ul>
 *
 * <p>Thread: confined to the committer thread (handed over by {@code Thread.start} after recovery).
 */
final class WalWriter implements Closeable {

    private static final byte[] ZEROS = new byte[1 << 20]; // never written to

    private final FileLayer files;
    private final SegmentIdentity identity;
    private final long segmentBytes;
    private final boolean preallocate;
    private final WalCounters counters;
    private ByteBuffer buffer;

    private LogFile file; // the active segment; null until the first append when none is usable
    private String fileName;
    private long index; // of the active segment, or of the last one when file == null (0: none yet)
    /** File offset of {@code buffer[0]}: everything before it has been written to the file. */
    private long bufferStart;
    /** File size made durable, with its metadata, by preallocation or the last {@code force(true)}. */
    private long durableSize;
    /** End of the records a segment opens with; a segment rolls only once it holds more than those. */
    private long openingEnd;
    private boolean unforced;
    private Epoch promised;
    /**
     * Every segment on disk, by index, with the highest slot its records concern (0 if none). Invariant:
     * the keys are contiguous and the last is {@code index} (or the map is empty).
     */
    private final TreeMap<Long, Long> segmentMaxSlots;

    WalWriter(FileLayer files, WalConfig config, LogRecovery.Tail tail, Epoch promised,
            SortedMap<Long, Long> segmentMaxSlots, WalCounters counters) throws IOException {
        this.segmentMaxSlots = new TreeMap<>(segmentMaxSlots);
        this.files = files;
        this.identity = config.identity();
        this.segmentBytes = config.segmentBytes();
        this.preallocate = config.preallocate();
        this.counters = counters;
        this.buffer = ByteBuffer.allocate(config.groupBytesMax());
        this.promised = promised;
        this.index = tail.lastIndex();
        if (tail.activeSegment() != null) {
            this.file = files.open(tail.activeSegment(), OpenMode.READ_WRITE);
            this.fileName = tail.activeSegment();
            this.bufferStart = tail.appendOffset();
            this.durableSize = tail.fileSize(); // recovery forced it
            this.openingEnd = SegmentHeader.BYTES;
            if (tail.appendOffset() == SegmentHeader.BYTES && promised.isAbove(Epoch.ZERO)) {
                encode(new WalRecord.Promise(promised));
                openingEnd = position();
            }
        }
    }

    /** Offset in the active segment where the next record goes. */
    private long position() {
        return bufferStart + buffer.position();
    }

    /** Adds a record to the log; durable only after the next {@link #sync}. */
    void append(WalRecord record) throws IOException {
        int length = RecordCodec.encodedBytes(record);
        if (file == null) {
            startSegment(index + 1);
        } else if (position() > openingEnd && position() + length > segmentBytes) {
            roll();
        }
        if (buffer.remaining() < length) {
            flush();
            if (buffer.capacity() < length) {
                buffer = ByteBuffer.allocate(length); // one record larger than a group; rare
            }
        }
        encode(record);
    }

    private void encode(WalRecord record) {
        int start = buffer.position();
        RecordCodec.encode(record, index, position(), buffer);
        int length = buffer.position() - start;
        // Pair check with recovery (on under test, where assertions are enabled).
        assert RecordCodec.decode(buffer.array(), start, length).equals(record) : "record does not decode back";
        counters.appended(length);
        unforced = true;
        if (record instanceof WalRecord.Promise p) {
            promised = p.promised();
        }
        segmentMaxSlots.merge(index, record.slot(), Math::max);
    }

    /**
     * Deletes the oldest segments while every record in them concerns a slot at or below {@code slot},
     * each durably before the next, so that what survives a crash is always a contiguous run of
     * segments. The newest segment is never deleted: the log goes on there, and it keeps the promise.
     * Every segment opens with the promise current when it was created and later promises follow it,
     * so the newest promise survives. Call only once a snapshot covering {@code slot} is durable.
     *
     * @return how many segments were deleted
     */
    int compact(long slot) throws IOException {
        sync();
        int deleted = 0;
        while (segmentMaxSlots.size() > 1) {
            Map.Entry<Long, Long> oldest = segmentMaxSlots.firstEntry();
            if (oldest.getKey() >= index || oldest.getValue() > slot) {
                break;
            }
            String name = SegmentNames.name(oldest.getKey());
            try {
                files.delete(name);
                files.syncDirectory();
            } catch (IOException e) {
                throw new IOException("deleting segment " + files.describe(name) + " after a snapshot at slot "
                        + slot + " failed: " + e.getMessage(), e);
            }
            segmentMaxSlots.remove(oldest.getKey());
            deleted++;
        }
        return deleted;
    }

    /** Writes everything appended and forces it. When this returns, every appended record is durable. */
    void sync() throws IOException {
        if (!unforced) {
            return;
        }
        flush();
        boolean grew = bufferStart > durableSize;
        force(file, fileName, grew);
        if (grew) {
            durableSize = bufferStart;
        }
        unforced = false;
    }

    private void flush() throws IOException {
        buffer.flip();
        long at = bufferStart;
        try {
            while (buffer.hasRemaining()) {
                at += file.write(buffer, at);
            }
        } catch (IOException e) {
            throw new IOException("writing " + files.describe(fileName) + " at offset " + at + " failed: "
                    + e.getMessage(), e);
        }
        bufferStart = at;
        buffer.clear();
    }

    /** Closes the full active segment durably, then starts the next. */
    private void roll() throws IOException {
        sync();
        file.close();
        file = null;
        startSegment(index + 1);
    }

    private void startSegment(long newIndex) throws IOException {
        if (file != null || buffer.position() != 0) {
            throw new AssertionError("starting a segment with the previous one still open or unwritten");
        }
        String name = SegmentNames.name(newIndex);
        LogFile created;
        long size = SegmentHeader.BYTES;
        try {
            created = files.open(name, OpenMode.CREATE_NEW);
            writeFully(created, SegmentHeader.of(newIndex, identity).encode(), 0);
            if (preallocate) {
                for (long at = size; at < segmentBytes; ) {
                    int chunk = (int) Math.min(ZEROS.length, segmentBytes - at);
                    writeFully(created, ByteBuffer.wrap(ZEROS, 0, chunk), at);
                    at += chunk;
                }
                size = Math.max(size, segmentBytes);
            }
        } catch (IOException e) {
            throw new IOException("creating segment " + files.describe(name) + " failed: " + e.getMessage(), e);
        }
        force(created, name, true);
        long started = System.nanoTime();
        try {
            files.syncDirectory();
        } catch (IOException e) {
            throw new IOException("syncing the directory after creating " + files.describe(name) + " failed: "
                    + e.getMessage(), e);
        }
        counters.forced(System.nanoTime() - started);
        counters.segmentCreated();
        file = created;
        fileName = name;
        index = newIndex;
        segmentMaxSlots.put(newIndex, 0L);
        bufferStart = SegmentHeader.BYTES;
        durableSize = size;
        if (promised.isAbove(Epoch.ZERO)) {
            encode(new WalRecord.Promise(promised));
        }
        openingEnd = position();
    }

    private void force(LogFile target, String name, boolean metadata) throws IOException {
        long started = System.nanoTime();
        try {
            target.force(metadata);
        } catch (IOException e) {
            throw new IOException("fsync of " + files.describe(name) + " failed: " + e.getMessage(), e);
        }
        counters.forced(System.nanoTime() - started);
    }

    private static void writeFully(LogFile target, ByteBuffer bytes, long at) throws IOException {
        long position = at;
        while (bytes.hasRemaining()) {
            position += target.write(bytes, position);
        }
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
            file = null;
        }
    }
}
