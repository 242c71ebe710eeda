package io.paxlog.storage;

/** Who runs the group commit step of a {@link WalStorage}. */
public enum CommitMode {
    /**
     * A dedicated I/O thread, started by {@code recover()}: it waits for batches, writes and fsyncs
     * them, and reports them durable. For real servers.
     */
    IO_THREAD,
    /**
     * No thread: batches wait until the owner calls {@link WalStorage#commitPending()}, which runs the
     * group commits on the caller's thread. For the deterministic simulator, which decides when the disk
     * catches up (and can crash the disk before it does).
     */
    MANUAL
}
