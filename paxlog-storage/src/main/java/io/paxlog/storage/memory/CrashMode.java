package io.paxlog.storage.memory;

/**
 * What survives a crash of a {@link MemoryDisk} (see {@link MemoryDisk#crash}).
 *
 * <ul>
 *   <li>{@link #dropUnsynced()}: the worst case. Only content forced with {@code force} and directory
 *       changes made durable with {@code syncDirectory} survive.
 *   <li>{@link #tearLastWrite}: every write and directory change reached the disk, except the most
 *       recent write that was not forced yet: only its first {@code keptBytes} bytes arrived. The rest
 *       of its range keeps its old bytes, or, with {@code garbage}, holds seeded pseudo-random bytes
 *       (a half-written sector).
 * </ul>
 */
public record CrashMode(boolean keepUnsynced, int keptBytes, boolean garbage, long garbageSeed) {

    public CrashMode {
        if (keptBytes < 0) {
            throw new IllegalArgumentException("kept bytes must be >= 0, was " + keptBytes);
        }
        if (!keepUnsynced && (keptBytes != 0 || garbage)) {
            throw new IllegalArgumentException("dropping unsynced data tears nothing");
        }
    }

    public static CrashMode dropUnsynced() {
        return new CrashMode(false, 0, false, 0);
    }

    /** Keeps the first {@code keptBytes} of the last unforced write (all of it if it is shorter). */
    public static CrashMode tearLastWrite(int keptBytes) {
        return new CrashMode(true, keptBytes, false, 0);
    }

    /** As {@link #tearLastWrite(int)}, with pseudo-random bytes from {@code seed} after the kept prefix. */
    public static CrashMode tearLastWriteWithGarbage(int keptBytes, long seed) {
        return new CrashMode(true, keptBytes, true, seed);
    }
}
