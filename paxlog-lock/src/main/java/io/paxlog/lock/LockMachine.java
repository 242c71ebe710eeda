package io.paxlog.lock;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.Binary;
import io.paxlog.api.codec.BinaryInput;
import io.paxlog.api.codec.BinaryOutput;
import io.paxlog.lock.LockResult.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeMap;
import org.pcollections.TreePMap;

/**
 * The lock service as a replicated state machine: named locks held by owners under leases, each grant
 * with a fencing token. Commands and results are the bytes of {@link LockCommands}.
 *
 * <p><b>Fencing tokens.</b> A grant's token is the slot of the command that granted it, so the tokens of
 * one lock's successive grants strictly increase (slots do) without the machine remembering anything
 * about freed locks. A renewal (an acquire by the holder) keeps the token and extends the lease, as
 * Chubby's sequencers and etcd's lease-bound keys do: a token names one holder's whole tenure, and a
 * resource that has seen it keeps accepting the holder while it renews.
 *
 * <p><b>Time.</b> The machine never reads a clock; a lease is only its {@code ttlMs} and the slot of its
 * last grant or renewal ({@link Lease#renewedSlot}). The leader decides when a lease has run out, by its
 * own clock: it notes when it first sees each {@code (name, renewedSlot)} applied (for every lease at
 * once when it takes over, which gives every holder a full ttl after a leader change) and, {@code ttlMs}
 * later, proposes {@link LockCommand.Expire} with that lease's token and renewed slot. Because a renewal
 * changes the renewed slot and a new grant the token, an expire decided before either reaches the log
 * does nothing: it cannot take the lock from a holder who renewed in time, nor from a newer holder.
 *
 * <p>Deterministic: a result depends only on the commands applied before and on the {@link LockLimits},
 * checked while applying. Checks run in this order, and the first that fails decides the result: the
 * command's bytes, then its arguments (name, owner, ttl or token), then the lock's state, then the number
 * of locks.
 *
 * <p>Snapshots: the locks live in a persistent sorted map (pcollections' {@link TreePMap}) of immutable
 * leases, so {@link #snapshotSource()} keeps the current version in O(1) and writes it later on any
 * thread while applies make newer versions.
 *
 * <p>Thread: the server's loop thread, like every state machine; not thread-safe. {@link #show} and
 * {@link #leases} only read, for the loop thread between two applies (read-index reads, the expiry
 * scheduler); leases are immutable, so they may be handed to another thread, and so may a {@link
 * SnapshotSource} it returned.
 */
public final class LockMachine implements StateMachine {

    private static final int SNAPSHOT_MAGIC = 0x50584c4b; // "PXLK"
    private static final int SNAPSHOT_FORMAT = 1;

    private final LockLimits limits;
    /**
     * Held locks by name. Invariants: a lease's name is its key; at most {@code locksMax} of them; every
     * token and renewed slot is at most {@code appliedSlot}; names and holders are within the limits.
     */
    private TreePMap<String, Lease> locks = TreePMap.empty();
    /** The slot of the last command applied; 0 before the first. */
    private long appliedSlot;

    public LockMachine() {
        this(LockLimits.DEFAULTS);
    }

    public LockMachine(LockLimits limits) {
        this.limits = limits;
    }

    // ---- The state machine ----

    @Override
    public byte[] apply(long slot, byte[] payload) {
        if (slot <= appliedSlot) {
            throw new AssertionError("lock machine applied slot " + slot + " after slot " + appliedSlot);
        }
        appliedSlot = slot;
        LockCommand command;
        try {
            command = LockCommands.decodeCommand(payload);
        } catch (IllegalArgumentException malformed) {
            return LockCommands.encodeResult(new LockResult.Rejected(Code.MALFORMED, malformed.getMessage()));
        }
        return LockCommands.encodeResult(execute(slot, command));
    }

    private LockResult execute(long slot, LockCommand command) {
        if (command instanceof LockCommand.Acquire acquire) {
            return acquire(slot, acquire);
        } else if (command instanceof LockCommand.Release release) {
            return release(release);
        } else if (command instanceof LockCommand.Expire expire) {
            return expire(expire);
        } else if (command instanceof LockCommand.Show show) {
            return show(show);
        }
        throw new AssertionError("unknown lock command " + command);
    }

    private LockResult show(LockCommand.Show show) {
        LockResult refused = refuse("name", show.name(), limits.nameBytesMax());
        return refused != null ? refused : held(locks.get(show.name()));
    }

    private LockResult acquire(long slot, LockCommand.Acquire acquire) {
        LockResult refused = refuse("name", acquire.name(), limits.nameBytesMax());
        if (refused == null) {
            refused = refuse("owner", acquire.owner(), limits.ownerBytesMax());
        }
        if (refused == null && (acquire.ttlMs() < 1 || acquire.ttlMs() > limits.ttlMsMax())) {
            refused = new LockResult.Rejected(Code.INVALID_ARGUMENT, "a ttl of " + acquire.ttlMs()
                    + " ms is not in 1-" + limits.ttlMsMax());
        }
        if (refused != null) {
            return refused;
        }
        Lease current = locks.get(acquire.name());
        if (current != null && current.holder().equals(acquire.owner())) {
            locks = locks.plus(acquire.name(), new Lease(acquire.name(), acquire.owner(), current.token(), acquire.ttlMs(),
                    slot));
            return new LockResult.Granted(current.token(), acquire.ttlMs(), true);
        }
        if (current != null) {
            return new LockResult.Held(current);
        }
        if (locks.size() >= limits.locksMax()) {
            return new LockResult.Rejected(Code.TOO_MANY_LOCKS, locks.size() + " locks are held, the limit is "
                    + limits.locksMax());
        }
        locks = locks.plus(acquire.name(), new Lease(acquire.name(), acquire.owner(), slot, acquire.ttlMs(), slot));
        return new LockResult.Granted(slot, acquire.ttlMs(), false);
    }

    private LockResult release(LockCommand.Release release) {
        LockResult refused = refuse("name", release.name(), limits.nameBytesMax());
        if (refused == null) {
            refused = refuse("owner", release.owner(), limits.ownerBytesMax());
        }
        if (refused != null) {
            return refused;
        }
        Lease current = locks.get(release.name());
        if (current == null || !current.holder().equals(release.owner())) {
            return held(current);
        }
        locks = locks.minus(release.name());
        return new LockResult.Released(current.token());
    }

    private LockResult expire(LockCommand.Expire expire) {
        LockResult refused = refuse("name", expire.name(), limits.nameBytesMax());
        if (refused != null) {
            return refused;
        }
        if (expire.token() < 1 || expire.renewedSlot() < expire.token()) {
            return new LockResult.Rejected(Code.INVALID_ARGUMENT, "an expire needs 1 <= token <= renewedSlot, had "
                    + expire.token() + " and " + expire.renewedSlot());
        }
        Lease current = locks.get(expire.name());
        if (current == null || current.token() != expire.token() || current.renewedSlot() != expire.renewedSlot()) {
            return held(current);
        }
        locks = locks.minus(expire.name());
        return new LockResult.Expired(current.holder(), current.token());
    }

    private static LockResult held(Lease lease) {
        return lease == null ? new LockResult.Free() : new LockResult.Held(lease);
    }

    private static LockResult refuse(String what, String value, int bytesMax) {
        if (value.isEmpty()) {
            return new LockResult.Rejected(Code.INVALID_ARGUMENT, "the " + what + " is empty");
        }
        // A decoded string is well-formed UTF-8, so it encodes back to as many bytes as it came from.
        int bytes = Binary.utf8(value).length;
        if (bytes > bytesMax) {
            return new LockResult.Rejected(Code.INVALID_ARGUMENT, "a " + what + " of " + bytes
                    + " bytes is above the limit of " + bytesMax);
        }
        return null;
    }

    // ---- Queries: read only, callable by the loop thread between two applies ----

    /**
     * Answers a show, given as {@link LockCommands} command bytes, from the current state without changing
     * it: {@link LockResult.Held}, {@link LockResult.Free} or a refusal of the name, exactly what
     * {@link #apply} would return for it at this point. The machine knows no time, so the answer says
     * nothing about how long the lease has left; the server adds that on the leader (see the server's
     * lock expiry scheduler).
     *
     * @throws IllegalArgumentException when {@code request} is malformed, or is not a show: acquire,
     *     release and expire change the state and must go through the log
     */
    @Override
    public byte[] query(byte[] request) {
        LockCommand command = LockCommands.decodeCommand(request);
        if (command instanceof LockCommand.Show show) {
            return LockCommands.encodeResult(show(show));
        }
        throw new IllegalArgumentException("a lock query must be a show; " + command.getClass().getSimpleName()
                + " changes the locks and must be submitted as a command");
    }

    /** The lease on {@code name}, if it is held. */
    public Optional<Lease> show(String name) {
        return Optional.ofNullable(locks.get(name));
    }

    /**
     * Every held lock, in name order, for the leader's expiry scheduler. The iterator is read-only and
     * sees the locks as they were when it was made, whatever is applied or restored later.
     */
    public Iterator<Lease> leases() {
        return Collections.unmodifiableCollection(locks.values()).iterator();
    }

    /** Locks held. */
    public int size() {
        return locks.size();
    }

    /** The slot of the last command applied; 0 before the first. */
    public long appliedSlot() {
        return appliedSlot;
    }

    public LockLimits limits() {
        return limits;
    }

    // ---- Snapshots ----

    /**
     * Every held lock, in name order ({@link String#compareTo}), so two replicas that applied the same
     * commands give the same bytes. The limits go in too: locks are only restored under the limits they
     * were granted under.
     *
     * <pre>
     * magic:int="PXLK" format:byte=1 nameBytesMax:int ownerBytesMax:int ttlMsMax:long locksMax:int
     * appliedSlot:long count:int (name:string holder:string token:long ttlMs:long renewedSlot:long)*
     * crc32c:int
     * </pre>
     * The checksum covers everything before it. The format is the one earlier versions wrote from memory,
     * byte for byte: only when it is serialized changed.
     */
    @Override
    public byte[] snapshot() {
        return snapshotSource().toByteArray();
    }

    /** The locks as they are now, in O(1): the current version of the persistent map, which applies replace. */
    @Override
    public SnapshotSource snapshotSource() {
        TreePMap<String, Lease> frozen = locks;
        long slot = appliedSlot;
        LockLimits at = limits;
        return out -> {
            BinaryOutput frame = new BinaryOutput(out);
            frame.putInt(SNAPSHOT_MAGIC).putByte(SNAPSHOT_FORMAT)
                    .putInt(at.nameBytesMax()).putInt(at.ownerBytesMax()).putLong(at.ttlMsMax())
                    .putInt(at.locksMax()).putLong(slot).putInt(frozen.size());
            for (Lease lease : frozen.values()) {
                frame.putString(lease.name()).putString(lease.holder()).putLong(lease.token()).putLong(lease.ttlMs())
                        .putLong(lease.renewedSlot());
            }
            frame.finishWithChecksum();
        };
    }

    /** {@link #restore(InputStream)} of the bytes. */
    @Override
    public void restore(byte[] snapshot) {
        try {
            restore(new ByteArrayInputStream(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a snapshot from memory cannot fail, but did", e);
        }
    }

    /**
     * Replaces the locks with a {@link #snapshot()}, read in one pass, after checking all of it: checksum,
     * format, limits, and every invariant. The new locks are built aside and adopted only once the checksum
     * matched: on any problem it throws {@link IllegalArgumentException} and keeps its state.
     */
    @Override
    public void restore(InputStream snapshot) throws IOException {
        BinaryInput in = new BinaryInput(snapshot, "lock snapshot");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not a lock snapshot (bad magic)");
        }
        int format = in.getByte();
        if (format != SNAPSHOT_FORMAT) {
            throw new IllegalArgumentException("lock snapshot format " + format + " is not " + SNAPSHOT_FORMAT);
        }
        LockLimits taken;
        try {
            taken = new LockLimits(in.getInt(), in.getInt(), in.getLong(), in.getInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lock snapshot has impossible limits: " + e.getMessage(), e);
        }
        if (!taken.equals(limits)) {
            throw new IllegalArgumentException("lock snapshot was taken under " + taken + ", this machine has "
                    + limits + ": the limits must match across the cluster");
        }
        long restoredSlot = in.getLong();
        int count = in.getInt();
        if (count < 0 || count > limits.locksMax()) {
            throw new IllegalArgumentException("lock snapshot claims " + count + " locks, not in 0-" + limits.locksMax());
        }
        TreeMap<String, Lease> restored = new TreeMap<>();
        String previous = null;
        for (int i = 0; i < count; i++) {
            // The limits bound each length before anything is allocated for it.
            String name = in.getString(limits.nameBytesMax());
            String holder = in.getString(limits.ownerBytesMax());
            long token = in.getLong();
            long ttlMs = in.getLong();
            long renewedSlot = in.getLong();
            if (refuse("name", name, limits.nameBytesMax()) != null
                    || refuse("owner", holder, limits.ownerBytesMax()) != null) {
                throw new IllegalArgumentException("lock snapshot entry " + i + " has an empty or too long name or holder");
            }
            if (ttlMs > limits.ttlMsMax() || renewedSlot > restoredSlot) {
                throw new IllegalArgumentException("lock snapshot entry " + i + " has ttl " + ttlMs
                        + " ms or renewed slot " + renewedSlot + " beyond the limit or the applied slot " + restoredSlot);
            }
            if (previous != null && previous.compareTo(name) >= 0) {
                throw new IllegalArgumentException("lock snapshot names are not in increasing order at entry " + i);
            }
            try {
                restored.put(name, new Lease(name, holder, token, ttlMs, renewedSlot));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lock snapshot entry " + i + ": " + e.getMessage(), e);
            }
            previous = name;
        }
        in.expectChecksumAndEnd();
        locks = TreePMap.fromSortedMap(restored);
        appliedSlot = restoredSlot;
    }
}
