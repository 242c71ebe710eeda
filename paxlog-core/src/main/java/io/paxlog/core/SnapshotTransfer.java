package io.paxlog.core;

import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotContent;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Moves snapshots between servers (the {@code installSnapshot} exchange): serves this server's
 * newest snapshot in chunks, and fetches another server's when this one is behind it.
 *
 * <p>The receiver drives a transfer: it asks for a window of {@link #WINDOW_CHUNKS} chunks at a time
 * with a {@link SnapshotRequest} naming the first byte it lacks, asks for the next window once it has
 * this one, re-asks on a timer when an answer is lost, and so resumes an interrupted transfer from the
 * last byte it received in order. Chunks may arrive out of order within a window (they are written in
 * place). The server side keeps no state per transfer; it answers each request from its newest
 * snapshot, with at most a window of chunks, read from wherever the snapshot is kept (memory, or the
 * store's file: {@link SnapshotContent}). A request it cannot read for is dropped, as if lost. A
 * leader starts a transfer to a lagging follower with an offer (a chunk with no bytes); a new leader
 * starts one itself when a server it reads has compacted slots it lacks.
 *
 * <p>Nothing is installed until the whole snapshot arrived and its CRC-32C matched. A snapshot holds
 * only chosen commands, so no epoch guards this exchange; a snapshot is taken only when it is above
 * this server's first unfinalized slot, so it never moves a server backwards.
 *
 * <p>Thread: owned by the thread that steps its {@link Replica}.
 */
final class SnapshotTransfer {

    /** Chunks in flight per request: a transfer takes size / (window x chunk) round trips. */
    static final int WINDOW_CHUNKS = 8;

    private final Replica replica;

    /** The newest snapshot this server holds and serves; null when none. */
    private SnapshotContent held;
    private int heldChecksum;

    // The transfer in progress, if active. totalBytes < 0: asked for, no chunk received yet.
    private boolean active;
    private int source;
    private long slot;
    private long totalBytes;
    private int checksum;
    private byte[] buffer;
    /** Every byte below this one arrived. */
    private int received;
    /** Chunks that arrived above {@code received}: offset -> end. */
    private final TreeMap<Integer, Integer> ahead = new TreeMap<>();
    /** The end of the window last asked for. */
    private long requestedEnd;
    private long lastProgressAt;
    private long lastRequestAt;

    SnapshotTransfer(Replica replica) {
        this.replica = replica;
    }

    // ---- Serving ----

    /** Keeps {@code snapshot} to serve, if it is newer than the one held. */
    void hold(SnapshotContent snapshot) {
        if (held == null || snapshot.slot() > held.slot()) {
            held = snapshot;
            heldChecksum = snapshot.checksum();
        }
    }

    void serve(int to, SnapshotRequest request) {
        if (held == null) {
            return; // the asker gives up on us after a while and looks elsewhere
        }
        long size = held.size();
        // Another snapshot than the one asked for (a newer one, or the asker is confused): from its start.
        long offset = request.slot() == held.slot() ? Math.min(request.offset(), size) : 0;
        int chunkMax = replica.config().snapshotChunkBytesMax();
        long end = Math.min(size, offset + Math.min(request.length(), (long) WINDOW_CHUNKS * chunkMax));
        do {
            int length = (int) Math.min(chunkMax, end - offset);
            byte[] bytes;
            try {
                bytes = held.read(offset, length);
            } catch (UncheckedIOException gone) {
                // A stored snapshot the store already replaced: the asker re-asks and gets the newer one.
                return;
            }
            replica.out().send(to, new SnapshotChunk(replica.promised(), held.slot(), size, heldChecksum, offset, bytes));
            offset += length;
        } while (offset < end);
    }

    /** Tells a server behind our snapshot to fetch it: costs one empty message. */
    void offer(int to) {
        if (held != null && held.size() > 0) {
            replica.out().send(to, new SnapshotChunk(replica.promised(), held.slot(), held.size(), heldChecksum, 0,
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
            // Data that starts a transfer answers our fetch request, which asked for a window from 0.
            requestedEnd = windowBytes();
        }
        int offset = (int) chunk.offset();
        int end = offset + chunk.bytes().length;
        if (end <= received || chunk.bytes().length == 0) {
            return null; // a duplicate; our own requests keep the transfer moving
        }
        System.arraycopy(chunk.bytes(), 0, buffer, offset, chunk.bytes().length);
        ahead.merge(offset, end, Math::max);
        for (Map.Entry<Integer, Integer> next = ahead.firstEntry(); next != null && next.getKey() <= received;
                next = ahead.firstEntry()) {
            received = Math.max(received, next.getValue());
            ahead.pollFirstEntry();
        }
        source = from;
        lastProgressAt = replica.now();
        if (received < totalBytes) {
            if (received >= requestedEnd) {
                request(); // this window is complete: the next one
            }
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
        ahead.clear();
        requestedEnd = 0;
        lastProgressAt = replica.now();
    }

    private void request() {
        lastRequestAt = replica.now();
        int window = windowBytes();
        requestedEnd = (long) received + window;
        replica.out().send(source, new SnapshotRequest(replica.promised(), slot, received, window));
    }

    private int windowBytes() {
        return (int) Math.min(Integer.MAX_VALUE, (long) WINDOW_CHUNKS * replica.config().snapshotChunkBytesMax());
    }

    private static int checksum(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }
}
