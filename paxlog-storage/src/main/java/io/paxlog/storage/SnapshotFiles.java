package io.paxlog.storage;

import io.paxlog.api.storage.Snapshot;
import java.io.IOException;
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
 * <h2>On-disk format, version 1</h2>
 *
 * A snapshot covering slots up to S lives in {@code snapshot-<S, 20 digits>.snap}; it is written as
 * {@code snapshot-<S>.snap.tmp} and renamed only once whole and forced. Integers are big-endian.
 *
 * <pre>
 *   offset   size  field
 *        0      8  magic "PAXLOGSN" (0x5041584C4F47534E)
 *        8      4  format version = 1
 *       12      4  header length = 128
 *       16      8  slot S (equals the slot in the file name)
 *       24      8  data length n
 *       32      4  server id
 *       36      2  cluster id length, 1..64
 *       38     64  cluster id, ASCII, zero padded
 *      102     26  reserved, zero
 *      128      n  data (the core's framing of the exactly-once table and the application state)
 *    128+n      4  CRC-32C of bytes 0 .. 127+n (header and data)
 * </pre>
 *
 * The one checksum covers every header field, so a flipped bit anywhere is caught before any field is
 * believed; only a file whose checksum matches can be "from another version" or "from another server".
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
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 128;
    static final int CHECKSUM_BYTES = 4;
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

    /**
     * Writes {@code snapshot} durably under its final name (steps 1 and 2 above). When this returns the
     * snapshot survives any crash.
     */
    void save(Snapshot snapshot) throws IOException {
        if (snapshot.data().length > DATA_BYTES_MAX) {
            throw new IllegalArgumentException("snapshot of " + snapshot.data().length + " bytes; the limit is "
                    + DATA_BYTES_MAX);
        }
        String temp = tempName(snapshot.slot());
        String target = name(snapshot.slot());
        ByteBuffer header = header(snapshot.slot(), snapshot.data().length, identity);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_BYTES);
        crc.update(snapshot.data());
        ByteBuffer trailer = ByteBuffer.allocate(CHECKSUM_BYTES).putInt(0, (int) crc.getValue());
        try (LogFile file = files.open(temp, OpenMode.CREATE_NEW)) {
            long at = writeFully(file, header, 0);
            at = writeFully(file, ByteBuffer.wrap(snapshot.data()), at);
            writeFully(file, trailer, at);
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

    /** The snapshot in {@code name}, or the {@link Damage} that keeps it from verifying. */
    private static Object read(FileLayer files, String name, SegmentIdentity expected) throws IOException {
        String where = files.describe(name);
        byte[] bytes;
        try (LogFile file = files.open(name, OpenMode.READ)) {
            long size = file.size();
            if (size < HEADER_BYTES + CHECKSUM_BYTES) {
                return new Damage(where, 0, "snapshot file of " + size + " bytes, shorter than a header and a"
                        + " checksum");
            }
            if (size > (long) HEADER_BYTES + DATA_BYTES_MAX + CHECKSUM_BYTES) {
                return new Damage(where, 0, "snapshot file of " + size + " bytes, larger than any snapshot");
            }
            bytes = new byte[(int) size];
            ByteBuffer into = ByteBuffer.wrap(bytes);
            while (into.hasRemaining()) {
                if (file.read(into, into.position()) < 0) {
                    return new Damage(where, into.position(), "snapshot file ended while being read");
                }
            }
        }
        int dataLength = bytes.length - HEADER_BYTES - CHECKSUM_BYTES;
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
        if (in.getInt(bytes.length - CHECKSUM_BYTES) != (int) crc.getValue()) {
            return new Damage(where, bytes.length - CHECKSUM_BYTES, "snapshot checksum mismatch");
        }
        // The checksum matched: whatever is odd below was written that way, so it is refused loudly.
        if (in.getLong(0) != MAGIC) {
            return new Damage(where, 0, "not a snapshot file (wrong magic number)");
        }
        int version = in.getInt(VERSION_AT);
        if (version != FORMAT_VERSION) {
            throw new WalCorruptedException(where, VERSION_AT, "unknown snapshot format version " + version
                    + " (this build reads version " + FORMAT_VERSION + ")", WalCorruptedException.Advice.VERSION);
        }
        int headerLength = in.getInt(LENGTH_AT);
        long slot = in.getLong(SLOT_AT);
        long declared = in.getLong(DATA_LENGTH_AT);
        int serverId = in.getInt(SERVER_AT);
        int clusterLength = in.getShort(CLUSTER_LENGTH_AT);
        if (headerLength != HEADER_BYTES || declared != dataLength || clusterLength < 1
                || clusterLength > SegmentIdentity.CLUSTER_ID_BYTES_MAX) {
            return new Damage(where, 0, "malformed snapshot header (header length " + headerLength
                    + ", data length " + declared + " in a file holding " + dataLength + ", cluster id length "
                    + clusterLength + ")");
        }
        for (int i = CLUSTER_AT + clusterLength; i < HEADER_BYTES; i++) {
            if (bytes[i] != 0) {
                return new Damage(where, i, "malformed snapshot header (non-zero reserved byte)");
            }
        }
        SegmentIdentity found;
        try {
            found = new SegmentIdentity(new String(bytes, CLUSTER_AT, clusterLength, StandardCharsets.US_ASCII),
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
        byte[] data = new byte[dataLength];
        System.arraycopy(bytes, HEADER_BYTES, data, 0, dataLength);
        return new Snapshot(slot, data);
    }

    static ByteBuffer header(long slot, int dataLength, SegmentIdentity identity) {
        byte[] cluster = identity.clusterId().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES);
        out.putLong(MAGIC);
        out.putInt(FORMAT_VERSION);
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
