/**
 * The write-ahead log: a server's durable state ({@code promised}, entries, finalize marks) in
 * segmented, checksummed files with group commit and crash recovery (issue 3).
 *
 * <p>Entry points: {@link io.paxlog.storage.WalStorage} (the {@link io.paxlog.api.storage.Storage}
 * the core writes to, and its {@link io.paxlog.api.storage.SnapshotStore}), {@link io.paxlog.storage.WalConfig}, {@link io.paxlog.storage.FatalErrorHandler},
 * and {@link io.paxlog.storage.WalTool} ({@code dump}/{@code verify} a data directory). The byte layout
 * is documented on {@code WalWriter}, the snapshot files' on {@code SnapshotFiles}, and the recovery rules
 * for snapshots and compacted logs on {@code LogRecovery}.
 *
 * <p>Failure treatments (STYLE.md): a broken caller contract or writer invariant throws {@link
 * java.lang.AssertionError}; a log that cannot be trusted at start-up throws {@link
 * io.paxlog.storage.WalCorruptedException} naming file, offset and what to do; an I/O failure while
 * running stops acknowledgement and goes to the {@link io.paxlog.storage.FatalErrorHandler} (default:
 * exit status 70).
 *
 * <p>A server: {@code WalStorage.open(dataDirectory, WalConfig.defaults(clusterId, serverId))}, then
 * {@code recover()} and hand the storage to the runtime loop; its durable callbacks arrive on the I/O
 * thread and must be passed to the loop's thread.
 */
package io.paxlog.storage;
