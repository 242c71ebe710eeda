package io.paxlog.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The fixed header at the start of every segment (layout on {@link WalWriter}).
 *
 * @param formatVersion the version of the whole segment's format
 * @param segmentIndex  the segment's place in the log; equals the index in its file name
 * @param identity      the cluster and server that wrote it
 */
record SegmentHeader(int formatVersion, long segmentIndex, SegmentIdentity identity) implements HeaderRead {

    static final long MAGIC = 0x5041584c4f47574cL; // "PAXLOGWL"
    static final int FORMAT_VERSION = 1;
    static final int BYTES = 128;
    static final int VERSION_AT = 8;
    private static final int LENGTH_AT = 12;
    private static final int INDEX_AT = 16;
    private static final int SERVER_AT = 24;
    private static final int CLUSTER_LENGTH_AT = 28;
    private static final int CLUSTER_AT = 30;
    private static final int RESERVED_AT = CLUSTER_AT + SegmentIdentity.CLUSTER_ID_BYTES_MAX;
    static final int CRC_AT = BYTES - 4;

    SegmentHeader {
        if (segmentIndex < 1) {
            throw new IllegalArgumentException("segment indexes start at 1, was " + segmentIndex);
        }
    }

    static SegmentHeader of(long segmentIndex, SegmentIdentity identity) {
        return new SegmentHeader(FORMAT_VERSION, segmentIndex, identity);
    }

    ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(BYTES);
        byte[] cluster = identity.clusterId().getBytes(StandardCharsets.US_ASCII);
        out.putLong(MAGIC);
        out.putInt(formatVersion);
        out.putInt(BYTES);
        out.putLong(segmentIndex);
        out.putInt(identity.serverId());
        out.putShort((short) cluster.length);
        out.put(cluster);
        // The rest, up to the checksum, stays zero (padding and reserved space).
        out.putInt(CRC_AT, checksum(out.array()));
        out.position(0);
        return out;
    }

    /**
     * Reads the header in {@code bytes[0, BYTES)}; returns either a header or a problem. A problem that
     * a torn creation cannot explain (another format version, a valid header that names another
     * segment) is always fatal; the others are fatal unless the segment is the last one and empty.
     */
    static HeaderRead decode(byte[] bytes, int available) {
        if (available < BYTES) {
            return new HeaderRead.Problem("incomplete segment header: " + available + " of " + BYTES + " bytes", true);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, BYTES);
        if (in.getLong(0) != MAGIC) {
            return new HeaderRead.Problem("no segment header (wrong magic number)", true);
        }
        // Every format version keeps the header checksum where it is, so it is checked before the
        // version: a header that fails it is damaged or torn, never "from another version".
        if (in.getInt(CRC_AT) != checksum(bytes)) {
            return new HeaderRead.Problem("segment header checksum mismatch", true);
        }
        // From here on the checksum matched: anything odd was written that way, not torn.
        int version = in.getInt(VERSION_AT);
        if (version != FORMAT_VERSION) {
            return new HeaderRead.Problem("unknown format version " + version + " (this build reads version "
                    + FORMAT_VERSION + ")", false);
        }
        int length = in.getInt(LENGTH_AT);
        long index = in.getLong(INDEX_AT);
        int serverId = in.getInt(SERVER_AT);
        int clusterLength = in.getShort(CLUSTER_LENGTH_AT);
        if (length != BYTES || clusterLength < 1 || clusterLength > SegmentIdentity.CLUSTER_ID_BYTES_MAX) {
            return new HeaderRead.Problem("malformed segment header (length " + length + ", cluster id length "
                    + clusterLength + ")", false);
        }
        for (int i = CLUSTER_AT + clusterLength; i < CRC_AT; i++) {
            if (bytes[i] != 0) {
                return new HeaderRead.Problem("malformed segment header (non-zero reserved byte at " + i + ")", false);
            }
        }
        String cluster = new String(bytes, CLUSTER_AT, clusterLength, StandardCharsets.US_ASCII);
        try {
            return new SegmentHeader(version, index, new SegmentIdentity(cluster, serverId));
        } catch (IllegalArgumentException e) {
            return new HeaderRead.Problem("malformed segment header: " + e.getMessage(), false);
        }
    }

    static int checksum(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_AT);
        return (int) crc.getValue();
    }

    static {
        if (RESERVED_AT > CRC_AT) {
            throw new AssertionError("segment header fields overlap its checksum");
        }
    }
}
