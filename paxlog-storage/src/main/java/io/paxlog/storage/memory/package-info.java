/**
 * An in-memory disk for running the real log, and its real recovery, under simulated faults.
 *
 * <p>How the deterministic simulator uses it, per server:
 * <ol>
 *   <li>Keep one {@link io.paxlog.storage.memory.MemoryDisk} per server across restarts.
 *   <li>Open the log with {@code WalStorage.open(config, disk, CommitMode.MANUAL, handler)}: no thread;
 *       batches wait until the simulator calls {@code commitPending()}, which writes, fsyncs and
 *       reports them durable on the simulator's thread. Delaying that call models a slow disk. Small
 *       segments without preallocation ({@code config.withSegmentBytes(64 << 10, false)}) keep memory low.
 *   <li>To crash a server at a chosen instant: {@code disk = disk.crash(mode)} and drop the old log
 *       object; then open a new log on the returned disk and {@code recover()}. Modes: power loss
 *       dropping everything unsynced, power loss tearing the last write at any byte, or a process
 *       crash that keeps unsynced writes in the "OS". To crash in the middle of a commit, schedule it
 *       with {@code disk.crashAtOperation(disk.operationCount() + k)}; the commit then throws {@link
 *       io.paxlog.storage.memory.DiskCrashedException}, which unwinds to the simulator.
 *   <li>To inject environmental failures: {@code failOperations(kind, successes, message)} (e.g. a
 *       failing fsync) and {@code capacityBytes(n)} (a full disk); the log then reports through the
 *       handler, which in a simulation should record the failure and stop the server.
 * </ol>
 * Nothing here reads a clock or unseeded randomness, so the same calls give the same disk.
 */
package io.paxlog.storage.memory;
