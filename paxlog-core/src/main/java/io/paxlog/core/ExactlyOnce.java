package io.paxlog.core;

import io.paxlog.api.codec.Binary;
import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import java.util.HashMap;
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
    private static final int SNAPSHOT_VERSION = 2;

    /**
     * The replicated state: this layer's table and the state machine's own snapshot, in one
     * checksummed frame. Deterministic: clients in id order, results in sequence order.
     *
     * <pre>
     * magic:int version:byte windowMax:int sessions:int
     *   (clientId:long highestSequence:long results:int (sequence:long slot:long result:bytes)*)*
     * stateMachine:bytes crc32c:int            (bytes = length:int followed by the bytes)
     * </pre>
     */
    public byte[] snapshot() {
        Binary.Writer out = new Binary.Writer()
                .putInt(SNAPSHOT_MAGIC).putByte(SNAPSHOT_VERSION).putInt(windowMax).putInt(sessions.size());
        for (Map.Entry<Long, Session> client : new TreeMap<>(sessions).entrySet()) {
            Session session = client.getValue();
            out.putLong(client.getKey()).putLong(session.highestSequence).putInt(session.results.size());
            for (Map.Entry<Long, Saved> result : session.results.entrySet()) {
                out.putLong(result.getKey()).putLong(result.getValue().slot()).putBytes(result.getValue().result());
            }
        }
        return out.putBytes(stateMachine.snapshot()).finishWithChecksum();
    }

    /** Replaces the table and the state machine's state with a {@link #snapshot()}, or throws. */
    public void restore(byte[] snapshot) {
        Binary.Reader in = Binary.Reader.checked(snapshot, "exactly-once snapshot");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not an exactly-once snapshot (bad magic)");
        }
        int version = in.getByte();
        if (version != SNAPSHOT_VERSION && version != 1) {
            throw new IllegalArgumentException("exactly-once snapshot version " + version + " is not 1 or "
                    + SNAPSHOT_VERSION);
        }
        int window = in.getInt();
        if (window != windowMax) {
            throw new IllegalArgumentException("snapshot was taken with an exactly-once window of " + window
                    + ", this server uses " + windowMax + ": the window must match across the cluster");
        }
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
}
