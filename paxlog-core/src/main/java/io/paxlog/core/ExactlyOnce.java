package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.Binary;
import io.paxlog.api.codec.BinaryInput;
import io.paxlog.api.codec.BinaryOutput;
import io.paxlog.core.SessionTable.Saved;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Sits between the log and the application: applies each {@code (clientId, sequence)} once and
 * returns the saved result for a repeat, within a table whose size is bounded
 * (docs/protocol.md#exactly-once and #client-sessions).
 *
 * <p>A command can reach the log twice: a client retries after a timeout or a leader change, and
 * both copies get chosen. Its table is part of the replicated state: every server builds the same
 * one from the same log, so the answer to a retry does not depend on which server gives it.
 *
 * <p><b>Sessions.</b> A client first opens a session through the log ({@link SessionCommand.Register}); its
 * id is the register's slot, and the client numbers its commands 1, 2, 3, ... under it. Per session the
 * table keeps the results of the last {@code windowMax} sequences, so a client may have up to that many
 * commands outstanding (pipelining) and still retry any of them safely. A sequence older than the
 * window is answered {@link Outcome.Kind#EXPIRED}: it may or may not have been applied, and guessing
 * either way would be wrong. A command of an id that is no open session is not applied: {@link
 * Outcome.Kind#SESSION_EXPIRED}.
 *
 * <p><b>Log time.</b> Nothing here reads a clock. The leader proposes clock commands carrying its wall
 * time ({@link SessionCommand.Clock}); applying one sets log time to the max of it and the time before,
 * so it never goes back, and drops every session silent for longer than the session timeout and every
 * idempotency key older than its ttl. Same log, same drops at the same slot, on every server, whatever
 * their clocks. The limits travel in the clock commands too ({@link SessionLimits}).
 *
 * <p><b>Idempotency keys</b> are entries of their own ({@link ClientIds#isKeyed}, sequence 1): the
 * digest of the command they were applied with, the slot and the result. A repeat with the same bytes
 * gets the saved result; with other bytes, {@link Outcome.Kind#KEY_REUSED}, not applied.
 *
 * <p><b>Before the first clock command</b> of a log (a log written before sessions existed, or the
 * first slots of a new cluster), the rules are the old ones: a command of an unknown id opens a session
 * for it implicitly. From the first clock on, only registered sessions are served; the implicit ones
 * live on while active and expire like any other. So an old log replays to the state it had.
 *
 * <p>Thread: owned by the thread that applies commands.
 */
public final class ExactlyOnce {

    /**
     * What applying one command did.
     *
     * @param slot where the command took effect: this slot when {@link Kind#APPLIED}, the slot of the
     *     first copy when {@link Kind#DUPLICATE} (a retry can land in the log twice), 0 otherwise
     * @param result the state machine's answer (a register's: the session id as a long)
     * @param reason why it was {@link Kind#REFUSED}, for people; empty otherwise
     */
    public record Outcome(Kind kind, byte[] result, long slot, String reason) {

        public Outcome(Kind kind, byte[] result, long slot) {
            this(kind, result, slot, "");
        }

        public Outcome(Kind kind, byte[] result) {
            this(kind, result, 0);
        }

        public enum Kind {
            /** Applied now; {@code result} is the state machine's answer (a register's: the session id and timeout). */
            APPLIED,
            /** Applied before; {@code result} is the saved answer. */
            DUPLICATE,
            /** Too old to know; the client gave up on it long ago. */
            EXPIRED,
            /** A no-op filled a slot; nothing to answer. */
            NOOP,
            /** Its session is not open (expired, or never opened): not applied. */
            SESSION_EXPIRED,
            /** Its idempotency key was applied with other bytes: not applied. */
            KEY_REUSED,
            /** Not applied: the table is full (or a register's id is taken); {@code result} says why. */
            REFUSED
        }

        static final Outcome NOOP = new Outcome(Kind.NOOP, new byte[0]);
        static final Outcome EXPIRED = new Outcome(Kind.EXPIRED, new byte[0]);
        static final Outcome SESSION_EXPIRED = new Outcome(Kind.SESSION_EXPIRED, new byte[0]);
        static final Outcome KEY_REUSED = new Outcome(Kind.KEY_REUSED, new byte[0]);

        static Outcome refused(String why) {
            return new Outcome(Kind.REFUSED, new byte[0], 0, why);
        }

        /** Whether the command took effect (now or before): what the client may be told was applied. */
        public boolean tookEffect() {
            return switch (kind) {
                case APPLIED, DUPLICATE -> true;
                case EXPIRED, NOOP, SESSION_EXPIRED, KEY_REUSED, REFUSED -> false;
            };
        }
    }

    private static final byte[] EMPTY = new byte[0];

    private final StateMachine stateMachine;
    private final int windowMax;
    private final SessionTable sessions = new SessionTable();
    private final KeyTable keys = new KeyTable();
    /** The log's time: the highest wall time of a clock command applied; 0 before the first. */
    private long logTime;
    private SessionLimits limits = SessionLimits.DEFAULT;

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
        long id = command.clientId();
        if (ClientIds.isSessionLayer(id)) {
            return sessionLayer(slot, SessionCommand.decode(command));
        }
        SessionTable.Session session = sessions.get(id);
        if (session == null && (ClientIds.isDuty(id) || !sessionsRequired())) {
            // A leader duty's client (unique to its term) or, before the first clock, the old rule.
            session = sessions.open(id, logTime);
        }
        if (session != null) {
            sessions.touch(id, session, logTime);
            return windowed(slot, session, command);
        }
        if (ClientIds.isKeyed(id) && command.sequence() == 1) {
            return keyed(slot, command);
        }
        return Outcome.SESSION_EXPIRED;
    }

    private Outcome windowed(long slot, SessionTable.Session session, Command command) {
        long sequence = command.sequence();
        Saved saved = session.results.get(sequence);
        if (saved != null) {
            return new Outcome(Outcome.Kind.DUPLICATE, saved.result(), saved.slot());
        }
        if (sequence <= session.highestSequence - windowMax) {
            return Outcome.EXPIRED;
        }
        byte[] result = applyToMachine(slot, command.payload());
        session.results.put(sequence, new Saved(slot, result));
        session.highestSequence = Math.max(session.highestSequence, sequence);
        while (session.results.firstKey() <= session.highestSequence - windowMax) {
            session.results.pollFirstEntry();
        }
        return new Outcome(Outcome.Kind.APPLIED, result, slot);
    }

    private Outcome keyed(long slot, Command command) {
        byte[] digest = keys.digest(command.payload());
        KeyTable.Entry entry = keys.get(command.clientId());
        if (entry != null) {
            return KeyTable.matches(entry, digest) ? new Outcome(Outcome.Kind.DUPLICATE, entry.result(), entry.slot())
                    : Outcome.KEY_REUSED;
        }
        if (keys.size() >= limits.keysMax()) {
            return Outcome.refused("the exactly-once table holds its maximum of " + limits.keysMax()
                    + " idempotency keys (keysMax); keys expire " + limits.keyTtlMs() + " ms after they were applied");
        }
        byte[] result = applyToMachine(slot, command.payload());
        keys.put(command.clientId(), new KeyTable.Entry(digest, slot, result, logTime));
        return new Outcome(Outcome.Kind.APPLIED, result, slot);
    }

    private Outcome sessionLayer(long slot, SessionCommand command) {
        return switch (command.kind()) {
            case CLOCK -> clock((SessionCommand.Clock) command);
            case REGISTER -> register(slot);
            case KEEP_ALIVE -> {
                long id = ((SessionCommand.KeepAlive) command).sessionId();
                SessionTable.Session session = sessions.get(id);
                if (session == null) {
                    yield Outcome.SESSION_EXPIRED;
                }
                sessions.touch(id, session, logTime);
                yield new Outcome(Outcome.Kind.APPLIED, EMPTY, slot);
            }
        };
    }

    private Outcome clock(SessionCommand.Clock clock) {
        limits = clock.limits();
        if (clock.wallMillis() > logTime) {
            boolean first = logTime == 0;
            logTime = clock.wallMillis();
            if (first) {
                sessions.touchAll(logTime);
                keys.touchAll(logTime);
            }
        }
        sessions.expire(logTime, limits.sessionTimeoutMs());
        keys.expire(logTime, limits.keyTtlMs());
        return new Outcome(Outcome.Kind.APPLIED, EMPTY);
    }

    private Outcome register(long slot) {
        if (slot >= ClientIds.KEYED_MIN) {
            throw new IllegalStateException("slot " + slot + " is beyond the session ids");
        }
        if (sessions.size() >= limits.sessionsMax()) {
            return Outcome.refused("the exactly-once table holds its maximum of " + limits.sessionsMax()
                    + " sessions (sessionsMax); a session silent for " + limits.sessionTimeoutMs() + " ms is dropped");
        }
        if (sessions.get(slot) != null) {
            // Only an id opened implicitly by the old rules can be taken; another register gets another slot.
            return Outcome.refused("session id " + slot + " is taken by a client of before sessions; register again");
        }
        sessions.open(slot, logTime);
        // The timeout, so the client knows how often to keep the session alive.
        return new Outcome(Outcome.Kind.APPLIED, new Binary.Writer(16).putLong(slot).putLong(limits.sessionTimeoutMs())
                .finish(), slot);
    }

    private byte[] applyToMachine(long slot, byte[] payload) {
        byte[] result = stateMachine.apply(slot, payload);
        if (result == null) {
            throw new IllegalStateException("state machine returned null for slot " + slot);
        }
        return result;
    }

    /** From the first clock command on, commands need an open session. */
    private boolean sessionsRequired() {
        return logTime > 0;
    }

    /** Open sessions, including the implicit ones of leader duties and of before sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /** Idempotency keys held. */
    public int keyCount() {
        return keys.size();
    }

    /** The log's time in milliseconds: 0 before the first clock command. */
    public long logTime() {
        return logTime;
    }

    public SessionLimits limits() {
        return limits;
    }

    /** Whether {@code sessionId} is an open session now. */
    public boolean isOpen(long sessionId) {
        return sessions.get(sessionId) != null;
    }

    // ---- Snapshots

    private static final int SNAPSHOT_MAGIC = 0x50584551; // "PXEQ"
    private static final int SNAPSHOT_VERSION = 4;
    /** The machine's bytes go in chunks of this size (the last one shorter): its length is not known up front. */
    static final int MACHINE_CHUNK_BYTES = MachineChunks.CHUNK_BYTES;

    /**
     * The replicated state: this layer's table and the state machine's own snapshot, in one
     * checksummed frame. Deterministic: sessions and keys in the table's own order (last activity,
     * application), results in sequence order, the machine's bytes cut into chunks of exactly {@link
     * #MACHINE_CHUNK_BYTES} whatever its writes were.
     *
     * <pre>
     * magic:int version:byte=4 windowMax:int logTime:long
     *   sessionTimeoutMs:long keyTtlMs:long sessionsMax:int keysMax:int
     * sessions:int (id:long lastActive:long highestSequence:long results:int (sequence:long slot:long result:bytes)*)*
     * keys:int (id:long appliedAt:long slot:long digest:bytes result:bytes)*
     * (length:int stateMachine-bytes)* 0:int  crc32c:int       (bytes = length:int followed by the bytes)
     * </pre>
     *
     * <p>Taken on the loop thread, cheaply: the table is copied, the machine freezes its own view
     * ({@link StateMachine#snapshotSource()}). Writing it may then happen on any thread while this layer
     * and the machine go on applying; the arrays it shares are never modified once saved.
     */
    public SnapshotSource snapshotSource() {
        List<SessionTable.Frozen> table = sessions.freeze();
        List<KeyTable.Frozen> keyed = keys.freeze();
        SnapshotSource machine = stateMachine.snapshotSource();
        int window = windowMax;
        long time = logTime;
        SessionLimits bounds = limits;
        return out -> {
            BinaryOutput frame = new BinaryOutput(out);
            frame.putInt(SNAPSHOT_MAGIC).putByte(SNAPSHOT_VERSION).putInt(window).putLong(time)
                    .putLong(bounds.sessionTimeoutMs()).putLong(bounds.keyTtlMs()).putInt(bounds.sessionsMax())
                    .putInt(bounds.keysMax()).putInt(table.size());
            for (SessionTable.Frozen session : table) {
                frame.putLong(session.id()).putLong(session.lastActive()).putLong(session.highestSequence())
                        .putInt(session.results().size());
                for (var result : session.results().entrySet()) {
                    frame.putLong(result.getKey()).putLong(result.getValue().slot()).putBytes(result.getValue().result());
                }
            }
            frame.putInt(keyed.size());
            for (KeyTable.Frozen key : keyed) {
                KeyTable.Entry entry = key.entry();
                frame.putLong(key.id()).putLong(entry.appliedAt()).putLong(entry.slot()).putBytes(entry.digest())
                        .putBytes(entry.result());
            }
            MachineChunks.ChunkedOutput chunks = new MachineChunks.ChunkedOutput(frame);
            machine.writeTo(chunks);
            chunks.finish();
            frame.finishWithChecksum();
        };
    }

    /** {@link #snapshotSource()}, written at once into one array. */
    public byte[] snapshot() {
        return snapshotSource().toByteArray();
    }

    /** {@link #restore(long, byte[])} of a snapshot of version 2 or later, which carry their slots. */
    public void restore(byte[] snapshot) {
        restore(0, snapshot);
    }

    /**
     * Replaces the table and the state machine's state with a {@link #snapshot()} taken at slot {@code
     * snapshotSlot} (this version's, or versions 1 to 3), or throws {@link IllegalArgumentException} and
     * changes nothing. The whole frame's checksum is checked first.
     *
     * <p>Version 1 kept no slot per saved result: those results are given {@code snapshotSlot}, the
     * latest slot they can have taken effect at (a retry answered from one says "applied", and at a slot
     * every answer accepts; slot 0 made the loop fail, issue 11 fix 4). Versions 1 to 3 had no log time,
     * keys or activity times: their clients become sessions opened by the old rules, active from the
     * log's first clock command on.
     */
    public void restore(long snapshotSlot, byte[] snapshot) {
        Binary.Reader in = Binary.Reader.checked(snapshot, "exactly-once snapshot");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not an exactly-once snapshot (bad magic)");
        }
        int version = in.getByte();
        if (version == SNAPSHOT_VERSION || version == 3) {
            restoreStreamed(snapshot, version);
            return;
        }
        if (version != 2 && version != 1) {
            throw new IllegalArgumentException("exactly-once snapshot version " + version + " is not 1 to "
                    + SNAPSHOT_VERSION);
        }
        if (version == 1 && snapshotSlot < 1) {
            throw new IllegalArgumentException("a version-1 exactly-once snapshot kept no slots: restore it with its own");
        }
        checkWindow(in.getInt());
        List<SessionTable.Frozen> restored = new ArrayList<>();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            long clientId = in.getLong();
            long highestSequence = in.getLong();
            TreeMap<Long, Saved> results = new TreeMap<>();
            int saved = in.getInt();
            for (int r = 0; r < saved; r++) {
                long sequence = in.getLong();
                long slot = version == 1 ? snapshotSlot : in.getLong();
                results.put(sequence, new Saved(slot, in.getBytes()));
            }
            restored.add(new SessionTable.Frozen(clientId, 0, highestSequence, results));
        }
        byte[] machine = in.getBytes();
        in.expectEnd();
        stateMachine.restore(machine);
        install(restored, List.of(), 0, SessionLimits.DEFAULT);
    }

    /** Versions 3 and 4, whose checksum {@link #restore} already verified: the machine reads its bytes as a stream. */
    private void restoreStreamed(byte[] snapshot, int version) {
        try {
            BinaryInput in = new BinaryInput(new ByteArrayInputStream(snapshot), "exactly-once snapshot");
            in.getInt();
            in.getByte();
            checkWindow(in.getInt());
            long time = 0;
            SessionLimits bounds = SessionLimits.DEFAULT;
            if (version >= 4) {
                time = in.getLong();
                bounds = new SessionLimits(in.getLong(), in.getLong(), in.getInt(), in.getInt());
            }
            int count = count(in.getInt(), "sessions");
            List<SessionTable.Frozen> restored = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long clientId = in.getLong();
                long lastActive = version >= 4 ? in.getLong() : 0;
                long highestSequence = in.getLong();
                TreeMap<Long, Saved> results = new TreeMap<>();
                int saved = count(in.getInt(), "results");
                for (int r = 0; r < saved; r++) {
                    long sequence = in.getLong();
                    long slot = in.getLong();
                    results.put(sequence, new Saved(slot, in.getBytes(snapshot.length)));
                }
                restored.add(new SessionTable.Frozen(clientId, lastActive, highestSequence, results));
            }
            List<KeyTable.Frozen> keyed = new ArrayList<>();
            if (version >= 4) {
                int keyCount = count(in.getInt(), "keys");
                for (int i = 0; i < keyCount; i++) {
                    long id = in.getLong();
                    long appliedAt = in.getLong();
                    long slot = in.getLong();
                    byte[] digest = in.getBytes(snapshot.length);
                    keyed.add(new KeyTable.Frozen(id, new KeyTable.Entry(digest, slot, in.getBytes(snapshot.length),
                            appliedAt)));
                }
            }
            MachineChunks.ChunkedInput machine = new MachineChunks.ChunkedInput(in);
            stateMachine.restore(machine);
            if (!machine.atEnd()) {
                // The checksum held, so the bytes are as written: the machine broke its contract.
                throw new IllegalStateException(stateMachine.getClass().getSimpleName()
                        + " did not read its snapshot to the end");
            }
            in.expectChecksumAndEnd();
            install(restored, keyed, time, bounds);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot from memory cannot fail, but did", e);
        }
    }

    private void install(List<SessionTable.Frozen> restored, List<KeyTable.Frozen> keyed, long time,
            SessionLimits bounds) {
        sessions.replace(restored);
        keys.replace(keyed);
        logTime = time;
        limits = bounds;
    }

    private static int count(int count, String what) {
        if (count < 0) {
            throw new IllegalArgumentException("exactly-once snapshot claims " + count + " " + what);
        }
        return count;
    }

    private void checkWindow(int window) {
        if (window != windowMax) {
            throw new IllegalArgumentException("snapshot was taken with an exactly-once window of " + window
                    + ", this server uses " + windowMax + ": the window must match across the cluster");
        }
    }
}
