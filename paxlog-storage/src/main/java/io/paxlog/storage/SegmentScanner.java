package io.paxlog.storage;

import java.io.IOException;

/**
 * Reads one segment front to back, hands every valid record to a sink, and decides how the segment
 * ends: cleanly (end of file, or zeros to the end of a preallocated file), with a torn final write, or
 * not at all (damage, which throws).
 *
 * <p>The rule that keeps acknowledged data safe: a bad record is a torn write only if it is in the last
 * segment and no valid record follows it anywhere in that segment. The writer forces a segment before
 * it creates the next one, so an earlier segment was wholly durable and any damage there is real; and
 * a valid record after a bad one means bytes past the damage were written, so the damage is not the
 * unfinished end of the log. Both refuse to start.
 *
 * <p>Thread: confined to the recovering thread.
 */
final class SegmentScanner {

    enum Ending {
        /** Valid records up to {@code endOffset}, then the end of the file or zeros to it. */
        CLEAN,
        /** Valid records up to {@code endOffset}, then an unfinished write: cut the file there. */
        TORN_TAIL,
        /** The header itself is unfinished and no record follows: the segment was never used. */
        TORN_CREATION
    }

    /** How the segment ended; {@code header} is null for {@link Ending#TORN_CREATION}. */
    record Outcome(Ending ending, long endOffset, long fileSize, String problem, SegmentHeader header,
            long records, long minSlot, long maxSlot) {}

    /** Receives each valid record; may throw {@link WalCorruptedException} when it breaks a log rule. */
    interface Sink {
        /** The segment's header, before its records. */
        default void header(SegmentHeader header) {}

        void record(WalRecord record, long offset, int length);
    }

    private final ReadWindow window;
    private final String where;
    private final long index;
    private final boolean last;
    private final long size;
    private long records;
    private long minSlot = Long.MAX_VALUE;
    private long maxSlot = 0;

    private SegmentScanner(LogFile file, String where, long index, boolean last) throws IOException {
        this.size = file.size();
        this.window = new ReadWindow(file, size);
        this.where = where;
        this.index = index;
        this.last = last;
    }

    /**
     * Scans the segment with {@code index} (from its file name). {@code expected} is the identity the
     * header must carry, or null to accept any valid one.
     *
     * @throws WalCorruptedException when the segment cannot be trusted
     */
    static Outcome scan(LogFile file, String where, long index, boolean last, SegmentIdentity expected, Sink sink)
            throws IOException {
        return new SegmentScanner(file, where, index, last).run(expected, sink);
    }

    private Outcome run(SegmentIdentity expected, Sink sink) throws IOException {
        int got = window.load(0, SegmentHeader.BYTES);
        byte[] headerBytes = new byte[SegmentHeader.BYTES];
        System.arraycopy(window.array(), window.at(0), headerBytes, 0, got);
        HeaderRead read = SegmentHeader.decode(headerBytes, got);
        if (read instanceof HeaderRead.Problem problem) {
            return headerProblem(problem);
        }
        SegmentHeader header = (SegmentHeader) read;
        if (header.segmentIndex() != index) {
            throw corrupted(0, "the header says segment " + header.segmentIndex() + " but the file name says "
                    + index + " (renamed or copied file)", WalCorruptedException.Advice.FOREIGN);
        }
        if (expected != null && !expected.equals(header.identity())) {
            throw corrupted(0, "segment written by " + header.identity() + ", but this is " + expected,
                    WalCorruptedException.Advice.FOREIGN);
        }
        sink.header(header);
        long position = SegmentHeader.BYTES;
        while (true) {
            if (position == size) {
                return ending(Ending.CLEAN, position, null, header);
            }
            int available = window.load(position, RecordCodec.FRAME_BYTES);
            if (available < Integer.BYTES) {
                return zerosOrBad(position, "incomplete record: " + available + " bytes before the end of the file",
                        header);
            }
            int length = RecordCodec.lengthAt(window.array(), window.at(position));
            if (length == 0) {
                return zerosOrBad(position, "zero length field followed by non-zero bytes", header);
            }
            if (!RecordCodec.plausibleLength(length)) {
                return bad(position, "impossible record length " + length, header);
            }
            if (position + length > size) {
                return bad(position, "incomplete record: length " + length + " but " + (size - position)
                        + " bytes left in the file", header);
            }
            window.load(position, length);
            if (!RecordCodec.checksumMatches(window.array(), window.at(position), length, index, position)) {
                return bad(position, "record checksum mismatch", header);
            }
            WalRecord record;
            try {
                record = RecordCodec.decode(window.array(), window.at(position), length);
            } catch (IllegalArgumentException e) {
                // The checksum matched, so the writer wrote these bytes: never a torn write.
                throw corrupted(position, "malformed record with a valid checksum: " + e.getMessage(),
                        WalCorruptedException.Advice.DAMAGE);
            }
            sink.record(record, position, length);
            records++;
            if (record.slot() > 0) {
                minSlot = Math.min(minSlot, record.slot());
                maxSlot = Math.max(maxSlot, record.slot());
            }
            position += length;
        }
    }

    private Outcome headerProblem(HeaderRead.Problem problem) throws IOException {
        if (!problem.tornCreationPossible()) {
            boolean version = problem.description().startsWith("unknown format version");
            throw corrupted(0, problem.description(),
                    version ? WalCorruptedException.Advice.VERSION : WalCorruptedException.Advice.DAMAGE);
        }
        if (!last) {
            throw corrupted(0, problem.description() + "; this is not the last segment, so it was complete",
                    WalCorruptedException.Advice.DAMAGE);
        }
        long valid = findValidRecord(SegmentHeader.BYTES);
        if (valid >= 0) {
            throw corrupted(0, problem.description() + "; a valid record follows at offset " + valid
                    + ", so the segment was in use", WalCorruptedException.Advice.DAMAGE);
        }
        return ending(Ending.TORN_CREATION, 0, problem.description(), null);
    }

    /** A zero length field: the clean end of a preallocated segment if only zeros follow. */
    private Outcome zerosOrBad(long position, String problem, SegmentHeader header) throws IOException {
        return allZeros(position) ? ending(Ending.CLEAN, position, null, header) : bad(position, problem, header);
    }

    private Outcome bad(long position, String problem, SegmentHeader header) throws IOException {
        if (!last) {
            throw corrupted(position, problem + "; this is not the last segment, so all of it was acknowledged",
                    WalCorruptedException.Advice.DAMAGE);
        }
        long valid = findValidRecord(position + 1);
        if (valid >= 0) {
            throw corrupted(position, problem + "; a valid record follows at offset " + valid
                    + ", so this is not a torn final write", WalCorruptedException.Advice.DAMAGE);
        }
        return ending(Ending.TORN_TAIL, position, problem, header);
    }

    private boolean allZeros(long from) throws IOException {
        return nextNonZero(from) == size;
    }

    /** Offset of the first non-zero byte at or after {@code from}, or the file size if there is none. */
    private long nextNonZero(long from) throws IOException {
        long position = from;
        while (position < size) {
            int count = window.load(position, 1 << 20);
            byte[] bytes = window.array();
            int at = window.at(position);
            for (int i = 0; i < count; i++) {
                if (bytes[at + i] != 0) {
                    return position + i;
                }
            }
            position += count;
        }
        return size;
    }

    /** Offset of the first valid record starting at or after {@code from}, or -1. Checks every byte offset. */
    private long findValidRecord(long from) throws IOException {
        for (long q = from; q + RecordCodec.FRAME_BYTES <= size; q++) {
            window.load(q, RecordCodec.FRAME_BYTES);
            byte[] bytes = window.array();
            int length = RecordCodec.lengthAt(bytes, window.at(q));
            if (length == 0) {
                // No record has length 0, nor does any offset whose length field lies in these zeros:
                // jump to the first offset whose length field reaches the next non-zero byte z.
                long z = nextNonZero(q + Integer.BYTES);
                q = z - Integer.BYTES; // the loop's q++ makes it z - 3
                continue;
            }
            if (!RecordCodec.plausibleFrame(bytes, window.at(q), length) || q + length > size) {
                continue;
            }
            window.load(q, length);
            if (RecordCodec.checksumMatches(window.array(), window.at(q), length, index, q)) {
                return q;
            }
        }
        return -1;
    }

    private Outcome ending(Ending ending, long endOffset, String problem, SegmentHeader header) {
        return new Outcome(ending, endOffset, size, problem, header, records,
                records == 0 || maxSlot == 0 ? 0 : minSlot, maxSlot);
    }

    private WalCorruptedException corrupted(long offset, String problem, WalCorruptedException.Advice advice) {
        return new WalCorruptedException(where, offset, problem, advice);
    }
}
