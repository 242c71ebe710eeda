package io.paxlog.core;

import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.storage.Snapshot;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Moves snapshots between servers (the {@code installSnapshot} exchange): serves this server's
 * newest snapshot in chunks, and fetches another server's when this one is behind it.
 *
 * <p>The receiver drives a transfer: it asks for one chunk at a time with a {@link SnapshotRequest}
 * naming the next offset it needs, re-asks on a timer when an answer is lost, and so resumes an
 * interrupted transfer from the last chunk it received. The server side keeps no state per transfer;
 * it answers each request from its newest snapshot. A leader starts a transfer to a lagging follower
 * with an offer (a chunk with no bytes); a new leader starts one itself when a server it reads has
 * compacted slots it lacks.
 *
 * <p>Nothing is installed until the whole snapshot arrived and its CRC-32C matched. A snapshot holds
 * only chosen commands, so no epoch guards this exchange; a snapshot is taken only when it is above
 * this server's first unfinalized slot, so it never moves a server backwards.
 *
 * <p>Thread: owned by the thread that steps its {@link Replica}.
 */
final class SnapshotTransfer {

    private final Replica replica;

    /** The newest snapshot this server holds and serves; null when none. */
    private Snapshot held;
    private int heldChecksum;

    // The transfer in progress, if active. totalBytes < 0: asked for, no chunk received yet.
    private boolean active;
    private int source;
    private long slot;
    private long totalBytes;
    private int checksum;
    private byte[] buffer;
    private int received;
    private long lastProgressAt;
    private long lastRequestAt;

    SnapshotTransfer(Replica replica) {
        this.replica = replica;
    }

    // ---- Serving ----

    /** Keeps {@code snapshot} to serve, if it is newer than the one held. */
    void hold(Snapshot snapshot) {
        if (held == null || snapshot.slot() > held.slot()) {
            held = snapshot;
            heldChecksum = checksum(snapshot.data());
        }
    }

    Snapshot held() {
        return held;
    }

    void serve(int to, SnapshotRequest request) {
        if (held == null) {
            return; // the asker gives up on us after a while and looks elsewhere
        }
        byte[] data = held.data();
        // Another snapshot than the one asked for (a newer one, or the asker is confused): from its start.
        long offset = request.slot() == held.slot() ? Math.min(request.offset(), data.length) : 0;
        int length = (int) Math.min(replica.config().snapshotChunkBytesMax(), data.length - offset);
        byte[] bytes = Arrays.copyOfRange(data, (int) offset, (int) offset + length);
        replica.out().send(to, new SnapshotChunk(replica.promised(), held.slot(), data.length, heldChecksum, offset, bytes));
    }

    /** Tells a server behind our snapshot to fetch it: costs one empty message. */
    void offer(int to) {
        if (held != null && held.data().length > 0) {
            replica.out().send(to, new SnapshotChunk(replica.promised(), held.slot(), held.data().length, heldChecksum, 0,
                    new byte[0]));
        }
    }

    // ---- Fetching ----

    boolean fetching() {
        return active;
    }

    /** Starts fetching {@code server}'s snapshot, unless a transfer of at least {@code wanted} is under way. */
    void fetch(int server, long wanted) {
        if (active && slot >= wanted) {
            return;
        }
        start(server, wanted, -1, 0);
        request();
    }

    /**
     * A chunk arrived. Returns the complete, verified snapshot when this chunk finished one that is
     * still ahead of this server; null otherwise.
     */
    Snapshot receive(int from, SnapshotChunk chunk) {
        if (chunk.slot() < replica.firstUnfinalizedSlot()) {
            return null; // nothing we lack
        }
        boolean sameTransfer = active && totalBytes >= 0 && chunk.slot() == slot && chunk.totalBytes() == totalBytes
                && chunk.checksum() == checksum;
        if (!sameTransfer) {
            boolean startsOne = chunk.offset() == 0 && (!active || chunk.slot() > slot
                    || (totalBytes < 0 && chunk.slot() >= slot));
            if (!startsOne) {
                return null; // a late chunk of an abandoned transfer, or one older than ours
            }
            start(from, chunk.slot(), chunk.totalBytes(), chunk.checksum());
            if (chunk.isOffer()) {
                request();
                return null;
            }
        }
        if (chunk.offset() != received || chunk.bytes().length == 0) {
            return null; // duplicate or reordered; our own requests keep the transfer moving
        }
        System.arraycopy(chunk.bytes(), 0, buffer, received, chunk.bytes().length);
        received += chunk.bytes().length;
        source = from;
        lastProgressAt = replica.now();
        if (received < totalBytes) {
            request();
            return null;
        }
        active = false;
        byte[] data = buffer;
        buffer = null;
        if (checksum(data) != checksum) {
            return null; // corrupt on the way or at the source: start over on the next offer
        }
        return new Snapshot(slot, data);
    }

    /** Re-asks for a lost chunk; gives up on a source that stopped answering. */
    void tick(long now) {
        if (!active) {
            return;
        }
        if (now - lastProgressAt > 2 * replica.config().electionTimeoutMaxMs()) {
            active = false; // the next offer, or the new leader's next fetch, starts over
            buffer = null;
            return;
        }
        if (now - lastRequestAt >= replica.config().heartbeatIntervalMs()) {
            request();
        }
    }

    private void start(int from, long snapshotSlot, long total, int crc) {
        active = true;
        source = from;
        slot = snapshotSlot;
        totalBytes = total;
        checksum = crc;
        buffer = total >= 0 ? new byte[(int) total] : null;
        received = 0;
        lastProgressAt = replica.now();
    }

    private void request() {
        lastRequestAt = replica.now();
        replica.out().send(source, new SnapshotRequest(replica.promised(), slot, received));
    }

    private static int checksum(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }
}
