package io.paxlog.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second server off a data directory while one runs there: two servers appending to one log
 * would destroy it. An OS file lock on {@value #FILE_NAME} in the directory, held until {@link #close()}
 * or the process ends (the OS drops it even after kill -9, so no stale lock blocks a restart). The
 * file holds the owner's process id, for the message a second server prints.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String FILE_NAME = "paxlog.lock";

    /** The directory is locked by another server (another process, or this one). */
    public static final class LockedException extends IllegalStateException {
        LockedException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} if needed and locks it.
     *
     * @throws LockedException when another server holds it
     * @throws IOException     when the directory or the lock file cannot be created
     */
    public static DataDirLock acquire(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw locked(directory, file, "this process");
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String owner = owner(file);
            channel.close();
            throw locked(directory, file, owner);
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new DataDirLock(file, channel, lock);
    }

    private static String owner(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() ? "another process" : "process " + pid;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static LockedException locked(Path directory, Path file, String owner) {
        return new LockedException("data directory " + directory + " is in use by another paxlog server (" + owner
                + ", holding " + file.getFileName() + "): stop that server first, or give this one another dataDir");
    }

    public Path file() {
        return file;
    }

    /** Releases the lock; the file stays (deleting it would race with a server starting next). */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
