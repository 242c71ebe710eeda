package io.paxlog.core;

import io.paxlog.api.codec.Binary;
import io.paxlog.api.Command;
import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.BinaryInput;
import io.paxlog.api.codec.BinaryOutput;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sits between the log and the application: applies each {@code (clientId, sequence)} once and
 * returns the saved result for a repeat (docs/protocol.md#exactly-once).
 *
 * <p>A command can reach the log twice: a client retries after a timeout or a leader change, and
 * both copies get chosen. Its table is part of the replicated state: every server builds the same
 * one from the same log, so the answer to a retry does not depend on which server gives it.
 *
 * <p>Per client it keeps the results of the last {@code windowMax} sequences, so a client may have
 * up to that many commands outstanding (pipelining) and still retry any of them safely. A sequence
 * older than the window is answered {@link Outcome.Kind#EXPIRED}: it may or may not have been applied,
 * and guessing either way would be wrong.
 *
 * <p>Thread: owned by the thread that applies commands.
 */
public final class ExactlyOnce {

    /**
     * What applying one command did.
     *
     * @param slot where the command took effect: this slot when {@link Kind#APPLIED}, the slot of the
     *     first copy when {@link Kind#DUPLICATE} (a retry can land in the log twice), 0 otherwise
     */
    public record Outcome(Kind kind, byte[] result, long slot) {

        public Outcome(Kind kind, byte[] result) {
            this(kind, result, 0);
        }

        public enum Kind {
            /** Applied now; {@code result} is the state machine's answer. */
            APPLIED,
            /** Applied before; {@code result} is the saved answer. */
            DUPLICATE,
            /** Too old to know; the client gave up on it long ago. */
            EXPIRED,
            /** A no-op filled a slot; nothing to answer. */
            NOOP
        }

        static final Outcome NOOP = new Outcome(Kind.NOOP, new byte[0]);
        static final Outcome EXPIRED = new Outcome(Kind.EXPIRED, new byte[0]);
    }

    private record Saved(long slot, byte[] result) {}

    private static final class Session {
        long highestSequence;
        final TreeMap<Long, Saved> results = new TreeMap<>();
    }

    private final StateMachine stateMachine;
    private final int windowMax;
    private final Map<Long, Session> sessions = new HashMap<>();

    public ExactlyOnce(StateMachine stateMachine, int windowMax) {
        if (windowMax < 1) {
            throw new IllegalArgumentException("exactly-once window must be at least 1, was " + windowMax);
        }
        this.stateMachine = stateMachine;
        this.windowMax = windowMax;
    }

    public Outcome apply(long slot, Command command) {
        if (command.isNoop()) {
            return Outcome.NOOP;
        }
        Session session = sessions.computeIfAbsent(command.clientId(), id -> new Session());
        long sequence = command.sequence();
        Saved saved = session.results.get(sequence);
        if (saved != null) {
            return new Outcome(Outcome.Kind.DUPLICATE, saved.result(), saved.slot());
        }
        if (sequence <= session.highestSequence - windowMax) {
            return Outcome.EXPIRED;
        }
        byte[] result = stateMachine.apply(slot, command.payload());
        if (result == null) {
            throw new IllegalStateException("state machine returned null for slot " + slot);
        }
        session.results.put(sequence, new Saved(slot, result));
        session.highestSequence = Math.max(session.highestSequence, sequence);
        while (session.results.firstKey() <= session.highestSequence - windowMax) {
            session.results.pollFirstEntry();
        }
        return new Outcome(Outcome.Kind.APPLIED, result, slot);
    }

    public int sessionCount() {
        return sessions.size();
    }

    private static final int SNAPSHOT_MAGIC = 0x50584551; // "PXEQ"
    private static final int SNAPSHOT_VERSION = 3;
    /** The machine's bytes go in chunks of this size (the last one shorter): its length is not known up front. */
    static final int MACHINE_CHUNK_BYTES = 64 << 10;

    /** A session's table entries, copied when a snapshot is taken: the live ones keep changing. */
    private record FrozenSession(long clientId, long highestSequence, TreeMap<Long, Saved> results) {}

    /**
     * The replicated state: this layer's table and the state machine's own snapshot, in one
     * checksummed frame. Deterministic: clients in id order, results in sequence order, the machine's
     * bytes cut into chunks of exactly {@link #MACHINE_CHUNK_BYTES} whatever its writes were.
     *
     * <pre>
     * magic:int version:byte=3 windowMax:int sessions:int
     *   (clientId:long highestSequence:long results:int (sequence:long slot:long result:bytes)*)*
     * (length:int stateMachine-bytes)* 0:int  crc32c:int       (bytes = length:int followed by the bytes)
     * </pre>
     *
     * <p>Taken on the loop thread, cheaply: the table (at most clients times the window) is copied, the
     * machine freezes its own view ({@link StateMachine#snapshotSource()}). Writing it may then happen
     * on any thread while this layer and the machine go on applying; the result arrays it shares are
     * never modified once saved.
     */
    public SnapshotSource snapshotSource() {
        List<FrozenSession> table = new ArrayList<>(sessions.size());
        for (Map.Entry<Long, Session> client : new TreeMap<>(sessions).entrySet()) {
            Session session = client.getValue();
            table.add(new FrozenSession(client.getKey(), session.highestSequence, new TreeMap<>(session.results)));
        }
        SnapshotSource machine = stateMachine.snapshotSource();
        int window = windowMax;
        return out -> {
            BinaryOutput frame = new BinaryOutput(out);
            frame.putInt(SNAPSHOT_MAGIC).putByte(SNAPSHOT_VERSION).putInt(window).putInt(table.size());
            for (FrozenSession session : table) {
                frame.putLong(session.clientId()).putLong(session.highestSequence()).putInt(session.results().size());
                for (Map.Entry<Long, Saved> result : session.results().entrySet()) {
                    frame.putLong(result.getKey()).putLong(result.getValue().slot()).putBytes(result.getValue().result());
                }
            }
            ChunkedOutput chunks = new ChunkedOutput(frame);
            machine.writeTo(chunks);
            chunks.finish();
            frame.finishWithChecksum();
        };
    }

    /** {@link #snapshotSource()}, written at once into one array. */
    public byte[] snapshot() {
        return snapshotSource().toByteArray();
    }

    /**
     * Replaces the table and the state machine's state with a {@link #snapshot()} (this version's, or
     * versions 1 and 2, which framed the machine's bytes as one field), or throws {@link
     * IllegalArgumentException} and changes nothing. The whole frame's checksum is checked first.
     */
    public void restore(byte[] snapshot) {
        Binary.Reader in = Binary.Reader.checked(snapshot, "exactly-once snapshot");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not an exactly-once snapshot (bad magic)");
        }
        int version = in.getByte();
        if (version == SNAPSHOT_VERSION) {
            restoreStreamed(snapshot);
            return;
        }
        if (version != 2 && version != 1) {
            throw new IllegalArgumentException("exactly-once snapshot version " + version + " is not 1, 2 or "
                    + SNAPSHOT_VERSION);
        }
        checkWindow(in.getInt());
        Map<Long, Session> restored = new HashMap<>();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            long clientId = in.getLong();
            Session session = new Session();
            session.highestSequence = in.getLong();
            int results = in.getInt();
            for (int r = 0; r < results; r++) {
                long sequence = in.getLong();
                long slot = version == 1 ? 0 : in.getLong(); // version 1 kept no slots
                session.results.put(sequence, new Saved(slot, in.getBytes()));
            }
            restored.put(clientId, session);
        }
        byte[] machine = in.getBytes();
        in.expectEnd();
        stateMachine.restore(machine);
        sessions.clear();
        sessions.putAll(restored);
    }

    /** Version 3, whose checksum {@link #restore} already verified: the machine reads its bytes as a stream. */
    private void restoreStreamed(byte[] snapshot) {
        try {
            BinaryInput in = new BinaryInput(new ByteArrayInputStream(snapshot), "exactly-once snapshot");
            in.getInt();
            in.getByte();
            checkWindow(in.getInt());
            int count = in.getInt();
            if (count < 0) {
                throw new IllegalArgumentException("exactly-once snapshot claims " + count + " sessions");
            }
            Map<Long, Session> restored = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long clientId = in.getLong();
                Session session = new Session();
                session.highestSequence = in.getLong();
                int results = in.getInt();
                for (int r = 0; r < results; r++) {
                    long sequence = in.getLong();
                    long slot = in.getLong();
                    session.results.put(sequence, new Saved(slot, in.getBytes(snapshot.length)));
                }
                restored.put(clientId, session);
            }
            ChunkedInput machine = new ChunkedInput(in);
            stateMachine.restore(machine);
            if (!machine.atEnd()) {
                // The checksum held, so the bytes are as written: the machine broke its contract.
                throw new IllegalStateException(stateMachine.getClass().getSimpleName()
                        + " did not read its snapshot to the end");
            }
            in.expectChecksumAndEnd();
            sessions.clear();
            sessions.putAll(restored);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot from memory cannot fail, but did", e);
        }
    }

    private void checkWindow(int window) {
        if (window != windowMax) {
            throw new IllegalArgumentException("snapshot was taken with an exactly-once window of " + window
                    + ", this server uses " + windowMax + ": the window must match across the cluster");
        }
    }

    /** Cuts the machine's bytes into {@code length:int bytes} chunks of a fixed size, then a 0 length. */
    private static final class ChunkedOutput extends OutputStream {
        private final BinaryOutput frame;
        private final byte[] chunk = new byte[MACHINE_CHUNK_BYTES];
        private int size;

        ChunkedOutput(BinaryOutput frame) {
            this.frame = frame;
        }

        @Override
        public void write(int b) throws IOException {
            if (size == chunk.length) {
                emit();
            }
            chunk[size++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (size == chunk.length) {
                    emit();
                }
                int n = Math.min(length, chunk.length - size);
                System.arraycopy(bytes, offset, chunk, size, n);
                size += n;
                offset += n;
                length -= n;
            }
        }

        void finish() throws IOException {
            if (size > 0) {
                emit();
            }
            frame.putInt(0);
        }

        private void emit() throws IOException {
            frame.putInt(size);
            frame.write(chunk, 0, size);
            size = 0;
        }
    }

    /** The machine's bytes back out of their chunks; ends at the 0 length. */
    private static final class ChunkedInput extends InputStream {
        private final BinaryInput frame;
        private int left;
        private boolean ended;

        ChunkedInput(BinaryInput frame) {
            this.frame = frame;
        }

        boolean atEnd() throws IOException {
            return ended || (left == 0 && !next());
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (left == 0 && !next()) {
                return -1;
            }
            int n = frame.read(into, offset, Math.min(length, left));
            if (n < 0) {
                throw new IllegalArgumentException("exactly-once snapshot ends inside the state machine's bytes");
            }
            left -= n;
            return n;
        }

        private boolean next() throws IOException {
            if (ended) {
                return false;
            }
            int length = frame.getInt();
            if (length < 0 || length > MACHINE_CHUNK_BYTES) {
                throw new IllegalArgumentException("exactly-once snapshot has a state machine chunk of " + length
                        + " bytes");
            }
            ended = length == 0;
            left = length;
            return !ended;
        }
    }
}
