package io.paxlog.storage.memory;

import io.paxlog.storage.FileLayer;
import io.paxlog.storage.LogFile;
import io.paxlog.storage.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic in-memory directory that fails like a real disk, for tests and the simulator.
 *
 * <p>It keeps two views: what the process sees (every write and directory change) and what a crash
 * would leave (content as of each file's last {@code force}, names as of the last {@code
 * syncDirectory}). Faults it injects:
 * <ul>
 *   <li>a crash before any numbered operation ({@link #crashAtOperation}): that operation and all
 *       later ones throw {@link DiskCrashedException}; {@link #crash(CrashMode)} then builds the disk a
 *       restarted process would find: without anything unsynced, with the last write torn at any
 *       byte, or, when only the process died, with unsynced data still unsynced;
 *   <li>an {@link IOException} from every operation of one kind after a number of successes ({@link
 *       #failOperations}), e.g. a failing fsync;
 *   <li>a full disk ({@link #capacityBytes}): a write that does not fit writes what fits, then fails
 *       with "No space left on device", like write(2).
 * </ul>
 *
 * <p>Java's {@code force(false)} only promises the content: growth of a file becomes durable only
 * with {@code force(true)}, so a writer that forgets the metadata flag loses data here.
 *
 * <p>Determinism: no clock, no threads, no unseeded randomness. Thread: every method is synchronized,
 * so the log's I/O thread may use it too, but only single-threaded use is reproducible.
 */
public final class MemoryDisk implements FileLayer {

    /** The operations that are counted and can be failed or crashed before. Reads are not counted. */
    public enum Operation { CREATE, WRITE, FORCE, TRUNCATE, DELETE, RENAME, SYNC_DIRECTORY }

    private static final class Inode {
        byte[] data = new byte[0];
        int size;
        byte[] durable = new byte[0];

        /** The current content, all of it durable. */
        static Inode copyCurrent(Inode of) {
            Inode copy = new Inode();
            copy.data = Arrays.copyOf(of.data, of.size);
            copy.size = of.size;
            copy.durable = copy.data.clone();
            return copy;
        }

        /** The current content with only what was durable durable. */
        static Inode copyBothViews(Inode of) {
            Inode copy = copyCurrent(of);
            copy.durable = of.durable.clone();
            return copy;
        }

        static Inode durableOnly(Inode of) {
            Inode copy = new Inode();
            copy.data = of.durable.clone();
            copy.size = copy.data.length;
            copy.durable = copy.data.clone();
            return copy;
        }
    }

    /** The most recent write while it is not forced: enough to undo part of it. */
    private record LastWrite(Inode inode, int position, int length, byte[] previous, int previousSize) {}

    private record Failure(long successesLeft, String message) {}

    private final Map<String, Inode> names = new TreeMap<>();
    private final Map<String, Inode> durableNames = new TreeMap<>();
    private final Map<Operation, Failure> failures = new EnumMap<>(Operation.class);
    private LastWrite lastWrite;
    private long operations;
    private long crashAt = Long.MAX_VALUE;
    private String crashReason;
    private long capacityBytes = Long.MAX_VALUE;

    public MemoryDisk() {}

    // ---- Fault control ----

    /** Counted operations so far (creates, writes, forces, truncates, deletes, renames, directory syncs). */
    public synchronized long operationCount() {
        return operations;
    }

    /** Crashes just before operation number {@code index} (0-based, as counted by {@link #operationCount}). */
    public synchronized void crashAtOperation(long index) {
        if (index < operations) {
            throw new IllegalArgumentException("operation " + index + " already ran");
        }
        crashAt = index;
    }

    /** Every later operation of {@code kind}, after {@code successes} more succeed, fails with {@code message}. */
    public synchronized void failOperations(Operation kind, long successes, String message) {
        failures.put(kind, new Failure(successes, message));
    }

    /** Limits the total size of all files; writes beyond fail as on a full disk. */
    public synchronized void capacityBytes(long capacity) {
        capacityBytes = capacity;
    }

    /** Crashes now: every later operation on this disk, or on files opened from it, throws. */
    public synchronized void crashNow() {
        if (crashReason == null) {
            crashReason = "disk crashed (by request) after operation " + operations;
        }
    }

    public synchronized boolean isCrashed() {
        return crashReason != null;
    }

    /** Length of the most recent write if it is not forced yet, else -1: the bytes a tear can cut. */
    public synchronized int unsyncedLastWriteLength() {
        return lastWrite == null ? -1 : lastWrite.length;
    }

    /**
     * Crashes this disk (if it has not crashed yet) and returns the disk a restarted process finds.
     * The returned disk has no faults scheduled; after a power loss everything on it is durable, after
     * {@link CrashMode#processOnly()} unsynced data stays unsynced.
     */
    public synchronized MemoryDisk crash(CrashMode mode) {
        crashNow();
        MemoryDisk after = new MemoryDisk();
        after.capacityBytes = capacityBytes;
        switch (mode.kind()) {
            case DROP_UNSYNCED -> {
                for (Map.Entry<String, Inode> e : durableNames.entrySet()) {
                    after.names.put(e.getKey(), Inode.durableOnly(e.getValue()));
                }
                after.durableNames.putAll(after.names);
            }
            case TEAR_LAST_WRITE, TEAR_LAST_WRITE_WITH_GARBAGE -> {
                Map<Inode, Inode> copies = copyNames(after, Inode::copyCurrent);
                if (lastWrite != null && copies.containsKey(lastWrite.inode)) {
                    tear(copies.get(lastWrite.inode), mode);
                }
                after.durableNames.putAll(after.names);
            }
            case PROCESS_ONLY -> {
                Map<Inode, Inode> copies = copyNames(after, Inode::copyBothViews);
                for (Map.Entry<String, Inode> e : durableNames.entrySet()) {
                    Inode copy = copies.computeIfAbsent(e.getValue(), Inode::copyBothViews);
                    after.durableNames.put(e.getKey(), copy);
                }
                if (lastWrite != null && copies.containsKey(lastWrite.inode)) {
                    LastWrite w = lastWrite;
                    after.lastWrite = new LastWrite(copies.get(w.inode), w.position, w.length, w.previous,
                            w.previousSize);
                }
            }
        }
        return after;
    }

    /** Copies every named file into {@code target}; returns the copy of each original inode. */
    private Map<Inode, Inode> copyNames(MemoryDisk target, java.util.function.UnaryOperator<Inode> copier) {
        Map<Inode, Inode> copies = new java.util.IdentityHashMap<>();
        for (Map.Entry<String, Inode> e : names.entrySet()) {
            Inode copy = copies.computeIfAbsent(e.getValue(), copier);
            target.names.put(e.getKey(), copy);
        }
        return copies;
    }

    /** An independent disk holding what this one holds now (unsynced data included, all of it durable). */
    public synchronized MemoryDisk copy() {
        MemoryDisk copy = new MemoryDisk();
        copy.capacityBytes = capacityBytes;
        for (Map.Entry<String, Inode> e : names.entrySet()) {
            copy.names.put(e.getKey(), Inode.copyCurrent(e.getValue()));
        }
        copy.durableNames.putAll(copy.names);
        return copy;
    }

    private void tear(Inode copy, CrashMode mode) {
        LastWrite w = lastWrite;
        int kept = Math.min(mode.keptBytes(), w.length);
        int from = w.position + kept;
        int to = w.position + w.length;
        if (mode.kind() == CrashMode.Kind.TEAR_LAST_WRITE_WITH_GARBAGE) {
            SplittableRandom random = new SplittableRandom(mode.garbageSeed());
            for (int i = from; i < to; i++) {
                copy.data[i] = (byte) random.nextInt(256);
            }
        } else {
            for (int i = from; i < to; i++) {
                copy.data[i] = i < w.previousSize ? w.previous[i - w.position] : 0;
            }
            if (copy.size == to && to > w.previousSize) {
                copy.size = Math.max(w.previousSize, from); // the torn write had grown the file
                copy.data = Arrays.copyOf(copy.data, copy.size);
            }
        }
        copy.durable = Arrays.copyOf(copy.data, copy.size);
    }

    // ---- Direct access for tests that damage files (not counted, immediately durable) ----

    /** The current content of {@code name}. */
    public synchronized byte[] contents(String name) throws NoSuchFileException {
        Inode inode = existing(name);
        return Arrays.copyOf(inode.data, inode.size);
    }

    /** Replaces the content of {@code name} (current and durable), e.g. to flip a bit. */
    public synchronized void replaceContents(String name, byte[] content) throws NoSuchFileException {
        Inode inode = existing(name);
        inode.data = content.clone();
        inode.size = content.length;
        inode.durable = content.clone();
        if (lastWrite != null && lastWrite.inode == inode) {
            lastWrite = null;
        }
    }

    // ---- FileLayer ----

    @Override
    public synchronized List<String> list() {
        checkAlive();
        return new ArrayList<>(names.keySet());
    }

    @Override
    public synchronized LogFile open(String name, OpenMode mode) throws IOException {
        checkAlive();
        requirePlainName(name);
        if (mode == OpenMode.CREATE_NEW) {
            begin(Operation.CREATE);
            if (names.containsKey(name)) {
                throw new FileAlreadyExistsException(describe(name));
            }
            Inode inode = new Inode();
            names.put(name, inode);
            return new MemoryFile(inode, true, name);
        }
        return new MemoryFile(existing(name), mode == OpenMode.READ_WRITE, name);
    }

    @Override
    public synchronized void delete(String name) throws IOException {
        begin(Operation.DELETE);
        existing(name);
        names.remove(name);
    }

    @Override
    public synchronized void rename(String source, String target) throws IOException {
        begin(Operation.RENAME);
        requirePlainName(target);
        Inode inode = existing(source);
        names.remove(source);
        names.put(target, inode);
    }

    @Override
    public synchronized void syncDirectory() throws IOException {
        begin(Operation.SYNC_DIRECTORY);
        durableNames.clear();
        durableNames.putAll(names);
    }

    @Override
    public String describe(String name) {
        return "mem:" + name;
    }

    // ---- Internals ----

    private Inode existing(String name) throws NoSuchFileException {
        Inode inode = names.get(name);
        if (inode == null) {
            throw new NoSuchFileException(describe(name));
        }
        return inode;
    }

    private static void requirePlainName(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
    }

    private void checkAlive() {
        if (crashReason != null) {
            throw new DiskCrashedException(crashReason);
        }
    }

    /** Counts an operation; crashes or fails it when scheduled. */
    private void begin(Operation kind) throws IOException {
        checkAlive();
        if (operations == crashAt) {
            crashReason = "disk crashed before operation " + operations + " (" + kind + ")";
            throw new DiskCrashedException(crashReason);
        }
        operations++;
        Failure failure = failures.get(kind);
        if (failure != null) {
            if (failure.successesLeft > 0) {
                failures.put(kind, new Failure(failure.successesLeft - 1, failure.message));
            } else {
                throw new IOException(failure.message);
            }
        }
    }

    private long usedBytes() {
        long used = 0;
        for (Inode inode : names.values()) {
            used += inode.size;
        }
        return used;
    }

    private synchronized int write(Inode inode, ByteBuffer src, long position) throws IOException {
        begin(Operation.WRITE);
        if (position + src.remaining() > Integer.MAX_VALUE) {
            throw new IOException("file too large for the in-memory disk");
        }
        int pos = (int) position;
        int length = src.remaining();
        int end = pos + length;
        long growth = Math.max(0, end - inode.size);
        // Summing every file costs a walk per write; only a disk with a capacity needs it.
        long free = capacityBytes == Long.MAX_VALUE ? Long.MAX_VALUE : capacityBytes - usedBytes();
        if (growth > free) {
            end = (int) Math.max(pos, inode.size + free);
            length = end - pos;
            if (length <= 0) {
                throw new IOException("No space left on device");
            }
        }
        byte[] previous = new byte[length];
        int previousSize = inode.size;
        if (pos < inode.size) {
            System.arraycopy(inode.data, pos, previous, 0, Math.min(length, inode.size - pos));
        }
        if (end > inode.data.length) {
            inode.data = Arrays.copyOf(inode.data, Math.max(end, inode.data.length * 2));
        }
        if (pos > inode.size) {
            Arrays.fill(inode.data, inode.size, pos, (byte) 0); // a hole reads as zeros
        }
        src.get(inode.data, pos, length);
        inode.size = Math.max(inode.size, end);
        lastWrite = new LastWrite(inode, pos, length, previous, previousSize);
        return length;
    }

    private synchronized void force(Inode inode, boolean metadata) throws IOException {
        begin(Operation.FORCE);
        if (metadata) {
            inode.durable = Arrays.copyOf(inode.data, inode.size);
        } else {
            // Content only: the durable length stays; bytes past it are not promised.
            int durableSize = inode.durable.length;
            byte[] durable = Arrays.copyOf(inode.data, durableSize);
            if (inode.size < durableSize) {
                System.arraycopy(inode.durable, inode.size, durable, inode.size, durableSize - inode.size);
            }
            inode.durable = durable;
        }
        if (lastWrite != null && lastWrite.inode == inode) {
            lastWrite = null;
        }
    }

    private synchronized void truncate(Inode inode, long size) throws IOException {
        begin(Operation.TRUNCATE);
        if (size < inode.size) {
            inode.size = (int) size;
        }
        if (lastWrite != null && lastWrite.inode == inode) {
            lastWrite = null; // a tear of a write that was cut away is moot
        }
    }

    private synchronized int read(Inode inode, ByteBuffer dst, long position) {
        checkAlive();
        if (position >= inode.size) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), inode.size - position);
        dst.put(inode.data, (int) position, n);
        return n;
    }

    private synchronized long size(Inode inode) {
        checkAlive();
        return inode.size;
    }

    private final class MemoryFile implements LogFile {
        private final Inode inode;
        private final boolean writable;
        private final String name;
        private boolean closed;

        MemoryFile(Inode inode, boolean writable, String name) {
            this.inode = inode;
            this.writable = writable;
            this.name = name;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            checkOpen();
            return MemoryDisk.this.read(inode, dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            checkWritable();
            return MemoryDisk.this.write(inode, src, position);
        }

        @Override
        public void force(boolean metadata) throws IOException {
            checkOpen();
            MemoryDisk.this.force(inode, metadata);
        }

        @Override
        public void truncate(long size) throws IOException {
            checkWritable();
            MemoryDisk.this.truncate(inode, size);
        }

        @Override
        public long size() throws IOException {
            checkOpen();
            return MemoryDisk.this.size(inode);
        }

        @Override
        public void close() {
            closed = true;
        }

        private void checkOpen() throws IOException {
            if (closed) {
                throw new IOException(describe(name) + " is closed");
            }
        }

        private void checkWritable() throws IOException {
            checkOpen();
            if (!writable) {
                throw new IOException(describe(name) + " is open read-only");
            }
        }
    }
}
