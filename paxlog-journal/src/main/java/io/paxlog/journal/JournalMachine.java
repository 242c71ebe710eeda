package io.paxlog.journal;

import io.paxlog.api.StateMachine;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The server's first service: an append-only journal. Each append gets the next index (1, 2, ...);
 * a read returns a bounded page of entries from an index, through the log, so it sees every append
 * acknowledged before it. Made so that a test can check that every acknowledged command is still
 * there, in the same order, after any crash.
 *
 * <p>Commands and results (big-endian; {@code bytes} is {@code length:int} then the bytes):
 *
 * <pre>
 * append:  0x01 data...                            -> 0x00 index:long slot:long
 * read:    0x02 fromIndex:long entriesMax:int      -> 0x00 size:long count:int (index:long slot:long data:bytes)*
 * errors:                                          -> 0x01 reason (UTF-8): journal full
 *                                                     0x02 reason (UTF-8): malformed command
 * </pre>
 *
 * A read returns at most {@link #READ_ENTRIES_MAX} entries and stops before {@link #READ_BYTES_MAX}
 * bytes of data (but always returns at least one entry if there is one, however large); {@code size}
 * is the number of entries in the journal, so a reader knows when it has seen them all.
 *
 * <p>Limit: the journal refuses appends beyond {@code bytesMax} bytes of data. The limit is part of
 * the replicated behaviour, so it must be the same on every server (it is a constant of the code).
 *
 * <p>{@link JournalService} makes it a service ({@code service: journal}); {@link JournalCodec} gives the
 * typed view of these bytes ({@link JournalCommand}, {@link JournalResult}).
 *
 * <p>Thread: the server's loop thread, like every state machine.
 */
public final class JournalMachine implements StateMachine {

    public static final long BYTES_MAX_DEFAULT = 256L << 20;
    public static final int READ_ENTRIES_MAX = 1000;
    public static final int READ_BYTES_MAX = 512 << 10;

    static final byte APPEND = 0x01;
    static final byte READ = 0x02;
    static final byte OK = 0x00;
    static final byte FULL = 0x01;
    static final byte MALFORMED = 0x02;

    private static final int SNAPSHOT_MAGIC = 0x50584a4e; // "PXJN"
    private static final byte SNAPSHOT_VERSION = 1;

    /** An entry of the journal: the {@code index}-th append, chosen at {@code slot}. */
    public record Entry(long index, long slot, byte[] data) {}

    /** What a read returned: {@code entries} from the requested index, and the journal's size. */
    public record Page(long size, List<Entry> entries) implements JournalResult {}

    /** What an append returned. */
    public record Appended(long index, long slot) implements JournalResult {}

    /**
     * The journal answered a command with a refusal (full, malformed): applied at a slot, yet it changed
     * nothing. Thrown by the decoders; the message is the journal's reason.
     */
    public static final class RefusedException extends IllegalStateException {
        RefusedException(String reason) {
            super(reason);
        }
    }

    private final long bytesMax;
    /** Invariant: entry i (0-based) has index i + 1; slots strictly increase. */
    private final List<Entry> entries = new ArrayList<>();
    private long bytes;

    public JournalMachine() {
        this(BYTES_MAX_DEFAULT);
    }

    public JournalMachine(long bytesMax) {
        if (bytesMax < 1) {
            throw new IllegalArgumentException("bytesMax must be positive, was " + bytesMax);
        }
        this.bytesMax = bytesMax;
    }

    // ---- Commands, for clients ----

    public static byte[] appendCommand(byte[] data) {
        return ByteBuffer.allocate(1 + data.length).put(APPEND).put(data).array();
    }

    public static byte[] readCommand(long fromIndex, int entriesMax) {
        return ByteBuffer.allocate(13).put(READ).putLong(fromIndex).putInt(entriesMax).array();
    }

    /** Reads an append's result; throws {@link RefusedException} with the journal's reason if refused. */
    public static Appended decodeAppended(byte[] result) {
        ByteBuffer in = okResult(result);
        Appended appended = new Appended(in.getLong(), in.getLong());
        requireEnd(in);
        return appended;
    }

    /** Reads a read's result; throws {@link RefusedException} with the journal's reason if refused. */
    public static Page decodePage(byte[] result) {
        ByteBuffer in = okResult(result);
        long size = in.getLong();
        int count = in.getInt();
        List<Entry> page = new ArrayList<>(Math.min(count, READ_ENTRIES_MAX));
        for (int i = 0; i < count; i++) {
            page.add(new Entry(in.getLong(), in.getLong(), bytes(in)));
        }
        requireEnd(in);
        return new Page(size, page);
    }

    // ---- The state machine ----

    @Override
    public byte[] apply(long slot, byte[] payload) {
        if (payload.length == 0) {
            return error(MALFORMED, "empty command");
        }
        return switch (payload[0]) {
            case APPEND -> append(slot, payload);
            case READ -> read(payload);
            default -> error(MALFORMED, "unknown operation " + payload[0]);
        };
    }

    /**
     * Answers a read ({@link #readCommand}) from the current state, as {@link #apply} would, without the
     * log.
     *
     * @throws IllegalArgumentException for an append (it must go through the log) or an unknown operation
     */
    @Override
    public byte[] query(byte[] request) {
        if (request.length == 0 || request[0] != READ) {
            throw new IllegalArgumentException("a journal query must be a read (operation " + READ + ")");
        }
        return read(request);
    }

    private byte[] append(long slot, byte[] payload) {
        int length = payload.length - 1;
        if (bytes + length > bytesMax) {
            return error(FULL, "journal full: " + bytes + " of " + bytesMax + " bytes used");
        }
        if (!entries.isEmpty() && entries.get(entries.size() - 1).slot() >= slot) {
            throw new AssertionError("journal applied slot " + slot + " after slot "
                    + entries.get(entries.size() - 1).slot());
        }
        byte[] data = new byte[length];
        System.arraycopy(payload, 1, data, 0, length);
        long index = entries.size() + 1L;
        entries.add(new Entry(index, slot, data));
        bytes += length;
        return ByteBuffer.allocate(17).put(OK).putLong(index).putLong(slot).array();
    }

    private byte[] read(byte[] payload) {
        if (payload.length != 13) {
            return error(MALFORMED, "a read is 13 bytes, was " + payload.length);
        }
        ByteBuffer in = ByteBuffer.wrap(payload, 1, 12);
        long from = in.getLong();
        int entriesMax = in.getInt();
        if (from < 1 || entriesMax < 1) {
            return error(MALFORMED, "a read needs fromIndex >= 1 and entriesMax >= 1, was " + from + " and "
                    + entriesMax);
        }
        int limit = Math.min(entriesMax, READ_ENTRIES_MAX);
        List<Entry> page = new ArrayList<>();
        int dataBytes = 0;
        for (long index = from; index <= entries.size() && page.size() < limit; index++) {
            Entry entry = entries.get((int) (index - 1));
            if (!page.isEmpty() && dataBytes + entry.data().length > READ_BYTES_MAX) {
                break;
            }
            page.add(entry);
            dataBytes += entry.data().length;
        }
        return encodePage(entries.size(), page);
    }

    /** A read's result: {@code size} entries in the journal, {@code page} of them returned. */
    static byte[] encodePage(long size, List<Entry> page) {
        long dataBytes = 0;
        for (Entry entry : page) {
            dataBytes += entry.data().length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(13 + page.size() * 20L + dataBytes))
                .put(OK).putLong(size).putInt(page.size());
        for (Entry entry : page) {
            out.putLong(entry.index()).putLong(entry.slot()).putInt(entry.data().length).put(entry.data());
        }
        return out.array();
    }

    /**
     * <pre>
     * magic:int version:byte count:int (slot:long data:bytes)* crc32c:int
     * </pre>
     * Indexes are implicit (1..count); the checksum covers everything before it.
     */
    @Override
    public byte[] snapshot() {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(13 + entries.size() * 12L + bytes));
        out.putInt(SNAPSHOT_MAGIC).put(SNAPSHOT_VERSION).putInt(entries.size());
        for (Entry entry : entries) {
            out.putLong(entry.slot()).putInt(entry.data().length).put(entry.data());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        return out.putInt((int) crc.getValue()).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        if (snapshot.length < 13) {
            throw new IllegalArgumentException("journal snapshot too short: " + snapshot.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length - 4);
        ByteBuffer in = ByteBuffer.wrap(snapshot);
        if (in.getInt(snapshot.length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("journal snapshot checksum mismatch");
        }
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not a journal snapshot (bad magic)");
        }
        byte version = in.get();
        if (version != SNAPSHOT_VERSION) {
            throw new IllegalArgumentException("journal snapshot version " + version + " is not " + SNAPSHOT_VERSION);
        }
        in.limit(snapshot.length - 4);
        List<Entry> restored = new ArrayList<>();
        long restoredBytes = 0;
        try {
            int count = in.getInt();
            if (count < 0) {
                throw new IllegalArgumentException("journal snapshot claims " + count + " entries");
            }
            long previousSlot = 0;
            for (int i = 0; i < count; i++) {
                long slot = in.getLong();
                if (slot <= previousSlot) {
                    throw new IllegalArgumentException("journal snapshot slots do not increase at entry " + (i + 1));
                }
                byte[] data = bytes(in);
                restored.add(new Entry(i + 1L, slot, data));
                restoredBytes += data.length;
                previousSlot = slot;
            }
        } catch (BufferUnderflowException | IllegalStateException e) {
            throw new IllegalArgumentException("journal snapshot cut short", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("journal snapshot has " + in.remaining() + " bytes after its entries");
        }
        entries.clear();
        entries.addAll(restored);
        bytes = restoredBytes;
    }

    /** Entries held; for status pages and tests. */
    public long size() {
        return entries.size();
    }

    // ---- Encoding helpers ----

    static byte[] error(byte status, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(status).put(text).array();
    }

    private static ByteBuffer okResult(byte[] result) {
        if (result.length == 0) {
            throw new IllegalArgumentException("empty journal result");
        }
        if (result[0] != OK) {
            String reason = new String(result, 1, result.length - 1, StandardCharsets.UTF_8);
            throw new RefusedException(result[0] == FULL ? reason : "journal refused the command: " + reason);
        }
        return ByteBuffer.wrap(result, 1, result.length - 1);
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalStateException("length " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] data = new byte[length];
        in.get(data);
        return data;
    }

    private static void requireEnd(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("journal result has " + in.remaining() + " extra bytes");
        }
    }
}
