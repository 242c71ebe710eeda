package io.paxlog.storage.memory;

/**
 * Thrown by every operation on a {@link MemoryDisk} once it crashed: the simulated process died at
 * that instant. Unchecked on purpose: the log must not mistake it for an I/O error it could report
 * (a dead process reports nothing); it unwinds to the test or simulator that scheduled the crash.
 */
public final class DiskCrashedException extends RuntimeException {

    public DiskCrashedException(String message) {
        super(message);
    }
}
