package io.paxlog.storage.memory;

/**
 * What survives a crash of a {@link MemoryDisk} (see {@link MemoryDisk#crash}).
 *
 * <ul>
 *   <li>{@link #dropUnsynced()}: the machine lost power, worst case. Only content forced with {@code
 *       force} and directory changes made durable with {@code syncDirectory} survive.
 *   <li>{@link #tearLastWrite}: the machine lost power after every write and directory change reached
 *       the disk, except the most recent write that was not forced yet: only its first {@code
 *       keptBytes} bytes arrived. The rest of its range keeps its old bytes, or, with {@code garbage},
 *       holds seeded pseudo-random bytes (a half-written sector).
 *   <li>{@link #processOnly()}: only the process died; the operating system still holds its unsynced
 *       writes, which the restarted process reads but which a later power loss still drops.
 * </ul>
 */
public record CrashMode(Kind kind, int keptBytes, long garbageSeed) {

    public enum Kind { DROP_UNSYNCED, TEAR_LAST_WRITE, TEAR_LAST_WRITE_WITH_GARBAGE, PROCESS_ONLY }

    public CrashMode {
        if (kind == null) {
            throw new IllegalArgumentException("crash mode needs a kind");
        }
        if (keptBytes < 0) {
            throw new IllegalArgumentException("kept bytes must be >= 0, was " + keptBytes);
        }
    }

    public static CrashMode dropUnsynced() {
        return new CrashMode(Kind.DROP_UNSYNCED, 0, 0);
    }

    /** Keeps the first {@code keptBytes} of the last unforced write (all of it if it is shorter). */
    public static CrashMode tearLastWrite(int keptBytes) {
        return new CrashMode(Kind.TEAR_LAST_WRITE, keptBytes, 0);
    }

    /** As {@link #tearLastWrite(int)}, with pseudo-random bytes from {@code seed} after the kept prefix. */
    public static CrashMode tearLastWriteWithGarbage(int keptBytes, long seed) {
        return new CrashMode(Kind.TEAR_LAST_WRITE_WITH_GARBAGE, keptBytes, seed);
    }

    public static CrashMode processOnly() {
        return new CrashMode(Kind.PROCESS_ONLY, 0, 0);
    }
}
