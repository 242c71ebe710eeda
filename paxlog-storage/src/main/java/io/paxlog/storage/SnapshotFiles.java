package io.paxlog.storage;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.storage.Snapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A server's snapshot files, beside its log segments in the same directory.
 *
 * <h2>On-disk format, version 2</h2>
 *
 * A snapshot covering slots up to S lives in {@code snapshot-<S, 20 digits>.snap}; it is written as
 * {@code snapshot-<S>.snap.tmp} and renamed only once whole and forced. Integers are big-endian.
 *
 * <pre>
 *   offset   size  field
 *        0      8  magic "PAXLOGSN" (0x5041584C4F47534E)
 *        8      4  format version = 2
 *       12      4  header length = 128
 *       16      8  slot S (equals the slot in the file name)
 *       24      8  zero (version 1 put the data length here)
 *       32      4  server id
 *       36      2  cluster id length, 1..64
 *       38     64  cluster id, ASCII, zero padded
 *      102     26  reserved, zero
 *      128      n  data (the core's framing of the exactly-once table and the application state)
 *    128+n      8  data length n
 *    136+n      4  CRC-32C of bytes 0 .. 135+n (header, data and length)
 * </pre>
 *
 * The data is streamed from the state's frozen view ({@link io.paxlog.api.SnapshotSource}) in one pass,
 * its length unknown until the end: so the length goes in the trailer, and the checksum is computed as
 * the bytes go out. The one checksum covers every header field, so a flipped bit anywhere is caught
 * before any field is believed; only a file whose checksum matches can be "from another version" or
 * "from another server". Version 1 (data length at offset 24, trailer the checksum alone) is still read.
 *
 * <h2>Durability order of a save (issue 3, docs/snapshots-design.md)</h2>
 * <ol>
 *   <li>create the temp file, write header, data and checksum, force it (content and size);
 *   <li>rename it to its final name, sync the directory: the snapshot is durable, and reported so;
 *   <li>delete every other snapshot file, sync the directory;
 *   <li>only then delete log segments wholly at or below S ({@link WalWriter#compact}).
 * </ol>
 * Step 3 before step 4 gives recovery its fallback rule: while an older snapshot file still exists, no
 * segment was deleted on the strength of a newer one (see {@link #load}).
 *
 * <p>Thread: {@link #save} and {@link #deleteOthers} on the committer thread; {@link #load} on the
 * recovering thread.
 */
final class SnapshotFiles {

    static final long MAGIC = 0x5041584c4f47534eL; // "PAXLOGSN"
    static final int FORMAT_VERSION = 2;
    static final int HEADER_BYTES = 128;
    static final int CHECKSUM_BYTES = 4;
    /** Version 2's trailer: the data length, then the checksum. */
    static final int TRAILER_BYTES = 8 + CHECKSUM_BYTES;
    /** Data is handed to the file in writes of this size, the checksum updated on each. */
    private static final int WRITE_BYTES = 1 << 20;
    /** Largest data a snapshot file holds: what fits a Java array with the header and checksum. */
    static final int DATA_BYTES_MAX = Integer.MAX_VALUE - 1024;

    static final int VERSION_AT = 8;
    static final int LENGTH_AT = 12;
    static final int SLOT_AT = 16;
    static final int DATA_LENGTH_AT = 24;
    static final int SERVER_AT = 32;
    static final int CLUSTER_LENGTH_AT = 36;
    static final int CLUSTER_AT = 38;

    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final Pattern TEMP = Pattern.compile("snapshot-(\\d{20})\\.snap\\.tmp");

    /**
     * What recovery found: the snapshot to start from (null if none) and its file, the damaged newer
     * snapshot files it passed over, and the temp files a crash left (deleted when repairing).
     */
    record Loaded(Snapshot snapshot, String file, List<Damage> damaged, List<String> temps) {
        static final Loaded NONE = new Loaded(null, null, List.of(), List.of());

        long slot() {
            return snapshot == null ? 0 : snapshot.slot();
        }
    }

    /** A snapshot file that does not verify: which, where and why. */
    record Damage(String file, long offset, String problem) {
        @Override
        public String toString() {
            return file + " at offset " + offset + ": " + problem;
        }
    }

    private final FileLayer files;
    private final SegmentIdentity identity;

    SnapshotFiles(FileLayer files, SegmentIdentity identity) {
        this.files = files;
        this.identity = identity;
    }

    static String name(long slot) {
        return String.format("snapshot-%020d.snap", slot);
    }

    static String tempName(long slot) {
        return name(slot) + ".tmp";
    }

    /** The slot in a snapshot file name, or -1 when {@code name} is not a snapshot's. */
    static long slot(String name) {
        return parse(NAME, name);
    }

    static boolean isTemp(String name) {
        return parse(TEMP, name) > 0;
    }

    private static long parse(Pattern pattern, String name) {
        Matcher m = pattern.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        try {
            long slot = Long.parseLong(m.group(1));
            return slot >= 1 ? slot : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** What the committer does between two writes of a large snapshot: commit the batches queued meanwhile. */
    @FunctionalInterface
    interface Meanwhile {
        Meanwhile NOTHING = () -> { };

        void run() throws IOException;
    }

    /** A snapshot whose bytes are in hand: written durably under its final name. */
    void save(Snapshot snapshot) throws IOException {
        save(snapshot.slot(), SnapshotSource.of(snapshot.data()), Meanwhile.NOTHING);
    }

    /**
     * Writes the state {@code source} froze at {@code slot} durably under its final name (steps 1 and 2
     * above), streaming it from the view with the checksums computed on the way. When this returns the
     * snapshot survives any crash. Returns it as served from the file.
     *
     * <p>After each full write of {@link #WRITE_BYTES} of data it runs {@code meanwhile}: saving a large
     * snapshot takes as long as the disk needs to write it, and the log's batches must not wait that long
     * (every server snapshots at about the same slot, so all of them would stop committing at once). A
     * snapshot smaller than one write runs it never.
     */
    StoredSnapshot save(long slot, SnapshotSource source, Meanwhile meanwhile) throws IOException {
        String temp = tempName(slot);
        String target = name(slot);
        ByteBuffer header = header(FORMAT_VERSION, slot, 0, identity);
        long length;
        int dataChecksum;
        try (LogFile file = files.open(temp, OpenMode.CREATE_NEW)) {
            FileSink sink = new FileSink(file, temp, meanwhile);
            sink.write(header.array(), 0, HEADER_BYTES);
            sink.startData();
            source.writeTo(sink);
            length = sink.position() - HEADER_BYTES;
            dataChecksum = sink.dataChecksum();
            sink.write(ByteBuffer.allocate(8).putLong(0, length).array(), 0, 8);
            sink.flushWithChecksum();
            file.force(true);
        } catch (IOException e) {
            throw new IOException("writing snapshot " + files.describe(temp) + " failed: " + e.getMessage(), e);
        }
        try {
            files.rename(temp, target);
            files.syncDirectory();
        } catch (IOException e) {
            throw new IOException("renaming snapshot " + files.describe(temp) + " to " + target
                    + " and syncing the directory failed: " + e.getMessage(), e);
        }
        return new StoredSnapshot(files, slot, length, dataChecksum);
    }

    /**
     * The snapshot saved at {@code slot}, read whole and verified (for {@code newestSnapshot()}: tools,
     * tests, the simulator's checks; the runtime serves it from the file instead).
     *
     * @throws IOException when it cannot be read or does not verify
     */
    Snapshot readWhole(long slot) throws IOException {
        Object read = read(files, name(slot), identity);
        if (read instanceof Snapshot snapshot) {
            return snapshot;
        }
        throw new IOException("the saved snapshot does not verify: " + read);
    }

    /**
     * The stream a snapshot's view writes to: the file, from the start, in writes of {@link #WRITE_BYTES},
     * keeping the CRC-32C of everything written (the file's) and of the data alone (what transfers check).
     */
    private static final class FileSink extends OutputStream {
        private final LogFile file;
        private final String name;
        private final CRC32C crc = new CRC32C();
        private final CRC32C data = new CRC32C();
        private boolean inData;
        private final byte[] buffer = new byte[WRITE_BYTES];
        private final Meanwhile meanwhile;
        private int size;
        private long flushed;

        FileSink(LogFile file, String name, Meanwhile meanwhile) {
            this.file = file;
            this.name = name;
            this.meanwhile = meanwhile;
        }

        long position() {
            return flushed + size;
        }

        /** What is written from here on is data, until {@link #dataChecksum()} is taken. */
        void startData() {
            inData = true;
        }

        int dataChecksum() {
            inData = false;
            return (int) data.getValue();
        }

        @Override
        public void write(int b) throws IOException {
            if (size == buffer.length) {
                drainFull();
            }
            if (inData) {
                data.update(b);
            }
            buffer[size++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (inData) {
                data.update(bytes, offset, length);
            }
            while (length > 0) {
                if (size == buffer.length) {
                    drainFull();
                }
                int n = Math.min(length, buffer.length - size);
                System.arraycopy(bytes, offset, buffer, size, n);
                size += n;
                offset += n;
                length -= n;
            }
            if (position() > HEADER_BYTES + 8 + (long) DATA_BYTES_MAX) {
                // Recovery reads a snapshot into one array; a larger one could be saved but never loaded.
                throw new IOException("snapshot " + name + " passed " + DATA_BYTES_MAX + " bytes, the most a"
                        + " snapshot file holds");
            }
        }

        /** Writes what is buffered, then the checksum of everything before it. */
        void flushWithChecksum() throws IOException {
            drain();
            writeFully(file, ByteBuffer.allocate(CHECKSUM_BYTES).putInt(0, (int) crc.getValue()), flushed);
            flushed += CHECKSUM_BYTES;
        }

        /** A full buffer of the data goes to the file; then the batches queued meanwhile are committed. */
        private void drainFull() throws IOException {
            drain();
            if (inData) {
                meanwhile.run();
            }
        }

        private void drain() throws IOException {
            crc.update(buffer, 0, size);
            flushed = writeFully(file, ByteBuffer.wrap(buffer, 0, size), flushed);
            size = 0;
        }
    }

    /** Deletes every snapshot file but the one at {@code slot}, durably (step 3 above). */
    void deleteOthers(long slot) throws IOException {
        boolean deleted = false;
        for (String name : files.list()) {
            long other = slot(name);
            if (other > 0 && other != slot) {
                try {
                    files.delete(name);
                } catch (IOException e) {
                    throw new IOException("deleting old snapshot " + files.describe(name) + " failed: "
                            + e.getMessage(), e);
                }
                deleted = true;
            }
        }
        if (deleted) {
            files.syncDirectory();
        }
    }

    /**
     * Finds the snapshot recovery starts from: the newest file that verifies. Damaged newer files are
     * passed over and listed; whether that is allowed is for the caller to decide, from the log (see
     * {@link LogRecovery}). With {@code repair}, temp files a crash left behind are deleted.
     *
     * @param expected the identity a snapshot must carry, or null to accept any
     * @throws WalCorruptedException for a file that verifies but is from another server, cluster or
     *                               format version, or names another slot than its file name
     */
    static Loaded load(FileLayer files, SegmentIdentity expected, boolean repair) throws IOException {
        List<String> temps = new ArrayList<>();
        List<String> snapshots = new ArrayList<>();
        for (String name : files.list()) {
            if (isTemp(name)) {
                temps.add(name);
            } else if (slot(name) > 0) {
                snapshots.add(name);
            }
        }
        List<String> tempsFound = new ArrayList<>();
        for (String temp : temps) {
            tempsFound.add(files.describe(temp));
            if (repair) {
                files.delete(temp); // never renamed, so never reported durable
            }
        }
        if (repair && !temps.isEmpty()) {
            files.syncDirectory();
        }
        snapshots.sort(Comparator.comparingLong(SnapshotFiles::slot).reversed());
        List<Damage> damaged = new ArrayList<>();
        for (String name : snapshots) {
            Object read = read(files, name, expected);
            if (read instanceof Snapshot snapshot) {
                return new Loaded(snapshot, files.describe(name), damaged, tempsFound);
            }
            damaged.add((Damage) read);
        }
        return new Loaded(null, null, damaged, tempsFound);
    }

    /**
     * The snapshot in {@code name}, or the {@link Damage} that keeps it from verifying. The data is read
     * straight into the snapshot's own array (header and trailer apart), so reading a large snapshot needs
     * its size in memory once, not twice.
     */
    private static Object read(FileLayer files, String name, SegmentIdentity expected) throws IOException {
        String where = files.describe(name);
        byte[] head = new byte[HEADER_BYTES];
        byte[] data;
        byte[] trailer;
        try (LogFile file = files.open(name, OpenMode.READ)) {
            long size = file.size();
            if (size < HEADER_BYTES + CHECKSUM_BYTES) {
                return new Damage(where, 0, "snapshot file of " + size + " bytes, shorter than a header and a"
                        + " checksum");
            }
            if (size > (long) HEADER_BYTES + DATA_BYTES_MAX + TRAILER_BYTES) {
                return new Damage(where, 0, "snapshot file of " + size + " bytes, larger than any snapshot");
            }
            if (!readFully(file, head, 0)) {
                return new Damage(where, 0, "snapshot file ended while being read");
            }
            // The version is not verified yet; it only decides where the data ends. Both versions end with
            // a checksum of everything before it, so a wrong guess from a damaged byte fails that checksum.
            int guess = ByteBuffer.wrap(head).getInt(VERSION_AT);
            int trailerBytes = guess == 1 || size < HEADER_BYTES + TRAILER_BYTES ? CHECKSUM_BYTES : TRAILER_BYTES;
            data = new byte[(int) (size - HEADER_BYTES - trailerBytes)];
            trailer = new byte[trailerBytes];
            if (!readFully(file, data, HEADER_BYTES) || !readFully(file, trailer, HEADER_BYTES + data.length)) {
                return new Damage(where, HEADER_BYTES, "snapshot file ended while being read");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(head);
        ByteBuffer tail = ByteBuffer.wrap(trailer);
        long checksumAt = HEADER_BYTES + (long) data.length + trailer.length - CHECKSUM_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(head);
        crc.update(data);
        crc.update(trailer, 0, trailer.length - CHECKSUM_BYTES);
        if (tail.getInt(trailer.length - CHECKSUM_BYTES) != (int) crc.getValue()) {
            return new Damage(where, checksumAt, "snapshot checksum mismatch");
        }
        // The checksum matched: whatever is odd below was written that way, so it is refused loudly.
        if (in.getLong(0) != MAGIC) {
            return new Damage(where, 0, "not a snapshot file (wrong magic number)");
        }
        int version = in.getInt(VERSION_AT);
        if (version != FORMAT_VERSION && version != 1) {
            throw new WalCorruptedException(where, VERSION_AT, "unknown snapshot format version " + version
                    + " (this build reads versions 1 and " + FORMAT_VERSION + ")", WalCorruptedException.Advice.VERSION);
        }
        if ((version == 1) != (trailer.length == CHECKSUM_BYTES)) {
            return new Damage(where, 0, "snapshot file of version " + version + " too short for its trailer");
        }
        int headerLength = in.getInt(LENGTH_AT);
        long slot = in.getLong(SLOT_AT);
        int dataLength = data.length;
        long declared = version == 1 ? in.getLong(DATA_LENGTH_AT) : tail.getLong(0);
        if (version != 1 && in.getLong(DATA_LENGTH_AT) != 0) {
            return new Damage(where, DATA_LENGTH_AT, "malformed snapshot header (non-zero reserved length field)");
        }
        int serverId = in.getInt(SERVER_AT);
        int clusterLength = in.getShort(CLUSTER_LENGTH_AT);
        if (headerLength != HEADER_BYTES || declared != dataLength || clusterLength < 1
                || clusterLength > SegmentIdentity.CLUSTER_ID_BYTES_MAX) {
            return new Damage(where, 0, "malformed snapshot header (header length " + headerLength
                    + ", data length " + declared + " in a file holding " + dataLength + ", cluster id length "
                    + clusterLength + ")");
        }
        for (int i = CLUSTER_AT + clusterLength; i < HEADER_BYTES; i++) {
            if (head[i] != 0) {
                return new Damage(where, i, "malformed snapshot header (non-zero reserved byte)");
            }
        }
        SegmentIdentity found;
        try {
            found = new SegmentIdentity(new String(head, CLUSTER_AT, clusterLength, StandardCharsets.US_ASCII),
                    serverId);
        } catch (IllegalArgumentException e) {
            return new Damage(where, 0, "malformed snapshot header: " + e.getMessage());
        }
        if (expected != null && !expected.equals(found)) {
            throw new WalCorruptedException(where, 0, "snapshot written by " + found + ", but this is " + expected,
                    WalCorruptedException.Advice.FOREIGN);
        }
        if (slot != slot(name)) {
            throw new WalCorruptedException(where, SLOT_AT, "the header says slot " + slot
                    + " but the file name says " + slot(name) + " (renamed or copied file)",
                    WalCorruptedException.Advice.FOREIGN);
        }
        return new Snapshot(slot, data);
    }

    /** A header; {@code dataLength} is 0 in version 2, whose trailer carries it. */
    static ByteBuffer header(int version, long slot, long dataLength, SegmentIdentity identity) {
        byte[] cluster = identity.clusterId().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES);
        out.putLong(MAGIC);
        out.putInt(version);
        out.putInt(HEADER_BYTES);
        out.putLong(slot);
        out.putLong(dataLength);
        out.putInt(identity.serverId());
        out.putShort((short) cluster.length);
        out.put(cluster);
        // The rest stays zero (padding and reserved space).
        out.position(0);
        return out;
    }

    /**
     * Fills {@code into} from {@code at}; false when the file ends first. Reads at most {@link
     * #WRITE_BYTES} at a time: the JDK copies a read into a heap array through a native buffer as large
     * as the read, in one copy no safepoint interrupts, so one read of a 1 GiB snapshot held every other
     * thread of the process (the loop too) for seconds at the next GC (measured: 5.5 s to safepoint).
     */
    private static boolean readFully(LogFile file, byte[] into, long at) throws IOException {
        int done = 0;
        while (done < into.length) {
            ByteBuffer piece = ByteBuffer.wrap(into, done, Math.min(WRITE_BYTES, into.length - done));
            while (piece.hasRemaining()) {
                if (file.read(piece, at + piece.position()) < 0) {
                    return false;
                }
            }
            done = piece.position();
        }
        return true;
    }

    private static long writeFully(LogFile target, ByteBuffer bytes, long at) throws IOException {
        long position = at;
        while (bytes.hasRemaining()) {
            position += target.write(bytes, position);
        }
        return position;
    }

    static {
        if (CLUSTER_AT + SegmentIdentity.CLUSTER_ID_BYTES_MAX > HEADER_BYTES) {
            throw new AssertionError("snapshot header fields overlap");
        }
    }
}
