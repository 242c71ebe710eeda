package io.paxlog.storage;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.storage.StoredEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes one record frame; the byte layout is documented on {@link WalWriter}.
 *
 * <p>The checksum covers the record's own place in the log (segment index and offset, not stored) as
 * well as its bytes, so a record is valid only where it was written: a stale or misdirected copy, or
 * a record's bytes that happen to sit inside another record's payload, never pass for a record.
 *
 * <p>Stateless and thread-safe.
 */
final class RecordCodec {

    /** length (4) + crc (4) + type (1) + slot (8) + epoch round (8) + epoch server id (4). */
    static final int FRAME_BYTES = 29;
    /** clientId (8) + sequence (8) + payload length (4), before the payload of an entry. */
    static final int ENTRY_FIXED_BYTES = 20;
    /**
     * The largest record the format allows. A format constant rather than a setting: recovery must
     * read any record a writer produced, and treats a larger length field as damage.
     */
    static final int RECORD_BYTES_MAX = 16 << 20;

    private static final int CRC_AT = 4;
    private static final int TYPE_AT = 8;

    private RecordCodec() {}

    static int encodedBytes(WalRecord record) {
        if (record instanceof WalRecord.Entry entry) {
            return FRAME_BYTES + ENTRY_FIXED_BYTES + entry.stored().command().payload().length;
        }
        return FRAME_BYTES;
    }

    /**
     * Appends {@code record} to {@code out} (array-backed, big-endian) as written at {@code offset} of
     * segment {@code segmentIndex}.
     */
    static void encode(WalRecord record, long segmentIndex, long offset, ByteBuffer out) {
        int length = encodedBytes(record);
        if (length > RECORD_BYTES_MAX) {
            throw new AssertionError("record of " + length + " bytes exceeds the format limit; write() must refuse it");
        }
        int start = out.position();
        Epoch epoch = record.epoch();
        out.putInt(length);
        out.putInt(0); // the checksum, filled in below
        out.put(record.type().code);
        out.putLong(record.slot());
        out.putLong(epoch.round());
        out.putInt(epoch.serverId());
        if (record instanceof WalRecord.Entry entry) {
            Command command = entry.stored().command();
            out.putLong(command.clientId());
            out.putLong(command.sequence());
            out.putInt(command.payload().length);
            out.put(command.payload());
        }
        if (out.position() - start != length) {
            throw new AssertionError("encoded " + (out.position() - start) + " bytes for a " + length + "-byte record");
        }
        out.putInt(start + CRC_AT, checksum(out.array(), out.arrayOffset() + start, length, segmentIndex, offset));
    }

    /** The length field of the frame at {@code at}. */
    static int lengthAt(byte[] buffer, int at) {
        return getInt(buffer, at);
    }

    /** Whether a length field can belong to some record at all. */
    static boolean plausibleLength(int length) {
        return length >= FRAME_BYTES && length <= RECORD_BYTES_MAX;
    }

    /**
     * Cheap test, before the checksum, of whether the {@code length} bytes at {@code at} could be a
     * frame: a known type with a length that fits it. Used to search damaged regions quickly.
     */
    static boolean plausibleFrame(byte[] buffer, int at, int length) {
        RecordType type = RecordType.of(buffer[at + TYPE_AT]);
        if (type == null) {
            return false;
        }
        return type == RecordType.ENTRY
                ? length >= FRAME_BYTES + ENTRY_FIXED_BYTES && length <= RECORD_BYTES_MAX
                : length == FRAME_BYTES;
    }

    static boolean checksumMatches(byte[] buffer, int at, int length, long segmentIndex, long offset) {
        return getInt(buffer, at + CRC_AT) == checksum(buffer, at, length, segmentIndex, offset);
    }

    /**
     * Decodes a frame whose checksum matched.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed record; since the checksum
     *     matched, the writer produced them that way, so this is never a torn write
     */
    static WalRecord decode(byte[] buffer, int at, int length) {
        ByteBuffer in = ByteBuffer.wrap(buffer, at, length);
        if (in.getInt() != length) {
            throw new AssertionError("decode called with a length that differs from the frame's");
        }
        in.getInt(); // checksum, already verified
        byte code = in.get();
        RecordType type = RecordType.of(code);
        long slot = in.getLong();
        long round = in.getLong();
        int serverId = in.getInt();
        if (type == null) {
            throw new IllegalArgumentException("unknown record type " + code);
        }
        if (type != RecordType.ENTRY && length != FRAME_BYTES) {
            throw new IllegalArgumentException(type + " record of " + length + " bytes, expected " + FRAME_BYTES);
        }
        Epoch epoch = new Epoch(round, serverId);
        return switch (type) {
            case PROMISE -> {
                if (slot != 0) {
                    throw new IllegalArgumentException("promise record with slot " + slot + ", expected 0");
                }
                yield new WalRecord.Promise(epoch);
            }
            case FINALIZE -> {
                if (!epoch.equals(Epoch.ZERO)) {
                    throw new IllegalArgumentException("finalize record with epoch " + epoch + ", expected 0.0");
                }
                yield new WalRecord.Finalize(slot);
            }
            case SNAPSHOT_MARKER -> new WalRecord.SnapshotMarker(slot, epoch);
            case ENTRY -> {
                if (length < FRAME_BYTES + ENTRY_FIXED_BYTES) {
                    throw new IllegalArgumentException("entry record of " + length + " bytes is too short");
                }
                long clientId = in.getLong();
                long sequence = in.getLong();
                int payloadLength = in.getInt();
                if (payloadLength != length - FRAME_BYTES - ENTRY_FIXED_BYTES) {
                    throw new IllegalArgumentException("entry payload length " + payloadLength
                            + " does not match the record length " + length);
                }
                byte[] payload = new byte[payloadLength];
                in.get(payload);
                yield new WalRecord.Entry(new StoredEntry(slot, epoch, new Command(clientId, sequence, payload)));
            }
        };
    }

    private static int checksum(byte[] buffer, int at, int length, long segmentIndex, long offset) {
        CRC32C crc = new CRC32C();
        byte[] place = new byte[16];
        ByteBuffer.wrap(place).putLong(segmentIndex).putLong(offset);
        crc.update(place);
        crc.update(buffer, at + TYPE_AT, length - TYPE_AT);
        return (int) crc.getValue();
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
