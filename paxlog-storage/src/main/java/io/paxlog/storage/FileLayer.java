package io.paxlog.storage;

import java.io.IOException;
import java.util.List;

/**
 * The few file operations the write-ahead log needs, over one directory. Two implementations: {@link
 * NioFileLayer} on a real directory, and {@link io.paxlog.storage.memory.MemoryDisk}, an in-memory
 * disk that injects crashes, torn writes and I/O errors so that tests and the simulator run the real
 * log and its real recovery.
 *
 * <p>Contract: creating, deleting or renaming a file changes the directory, which is durable only
 * after {@link #syncDirectory} returns; a crash before that may undo the change. File content is
 * durable after {@link LogFile#force}. Names are plain file names, never paths.
 *
 * <p>Thread: implementations are safe to call from several threads, but the log confines every call
 * to its committer thread (and recovery to the thread that calls {@code recover()}).
 */
public interface FileLayer {

    /** Names of the regular files in the directory, sorted. */
    List<String> list() throws IOException;

    LogFile open(String name, OpenMode mode) throws IOException;

    void delete(String name) throws IOException;

    /** Replaces {@code target} with {@code source} atomically (durable after {@link #syncDirectory}). */
    void rename(String source, String target) throws IOException;

    /** Makes every create, delete and rename so far durable. */
    void syncDirectory() throws IOException;

    /** Where a file lives, for messages to an operator (a full path for a real directory). */
    String describe(String name);
}
