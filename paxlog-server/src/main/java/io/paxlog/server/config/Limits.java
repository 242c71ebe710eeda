package io.paxlog.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounds on the memory and message sizes of one server. Each server may tune them, but a frame limit
 * below another server's batch sizes would make their messages undeliverable: keep them equal.
 *
 * @param frameBytesMax      largest network frame sent or accepted (checked before allocating)
 * @param commandBytesMax    largest command payload a client may submit; larger ones are refused
 * @param clientQueueMax     client calls waiting for the loop thread; beyond it they are answered BUSY
 * @param peerQueueMax       peer messages waiting for the loop thread; beyond it they are dropped (the
 *                           protocol re-sends what matters)
 * @param pendingCommandsMax commands a leader queues while its pipeline is full (core)
 * @param inflightSlotsMax   slots a leader may have assigned beyond the applied slot (core)
 * @param storeBatchSlotsMax slots per store message (core)
 * @param storeBatchBytesMax command bytes per store message; one command may exceed it (core)
 * @param readSlotsMax       slots a new leader reads per round (core)
 * @param catchUpSlotsMax    slots finalized on a lagging follower per round (core)
 * @param snapshotChunkBytesMax snapshot bytes per message when a lagging server fetches a snapshot (core)
 * @param httpBodyBytesMax   largest HTTP request body the API accepts (a larger one is answered 413)
 * @param httpConnectionsPerAddressMax HTTP connections one client address may hold open at once; a request on
 *                           a connection beyond it is answered 429 and the connection closed
 */
public record Limits(int frameBytesMax, int commandBytesMax, int clientQueueMax, int peerQueueMax,
        int pendingCommandsMax, int inflightSlotsMax, int storeBatchSlotsMax, int storeBatchBytesMax,
        int readSlotsMax, int catchUpSlotsMax, int snapshotChunkBytesMax, int httpBodyBytesMax,
        int httpConnectionsPerAddressMax) {

    /**
     * A service's largest command is its largest value plus the command's own framing (the kv store's: a
     * 1 MiB value, a key of up to 1 KiB, lengths, a condition), so the command limit is 1 MiB + 4 KiB: a
     * command limit of exactly 1 MiB refused values just under the documented 1 MiB value limit. The HTTP
     * body default leaves room for such a value and nothing much more.
     */
    public static final int COMMAND_BYTES_MAX_DEFAULT = (1 << 20) + (4 << 10);

    public static final Limits DEFAULTS = new Limits(16 << 20, COMMAND_BYTES_MAX_DEFAULT, 4096, 16384, 16384, 4096,
            512, 1 << 20, 512, 512, 512 << 10, (1 << 20) + (4 << 10), 64);

    static final int FRAME_BYTES_MIN = 1 << 20;
    static final int FRAME_BYTES_LIMIT = 1 << 30;
    /** Room in a frame for everything but command payloads: headers, epochs, slot numbers. */
    static final int FRAME_OVERHEAD_BYTES = 64 << 10;

    public Limits {
        List<String> problems = problems(frameBytesMax, commandBytesMax, clientQueueMax, peerQueueMax,
                pendingCommandsMax, inflightSlotsMax, storeBatchSlotsMax, storeBatchBytesMax, readSlotsMax,
                catchUpSlotsMax, snapshotChunkBytesMax, httpBodyBytesMax, httpConnectionsPerAddressMax);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    static List<String> problems(int frameBytesMax, int commandBytesMax, int clientQueueMax, int peerQueueMax,
            int pendingCommandsMax, int inflightSlotsMax, int storeBatchSlotsMax, int storeBatchBytesMax,
            int readSlotsMax, int catchUpSlotsMax, int snapshotChunkBytesMax, int httpBodyBytesMax,
            int httpConnectionsPerAddressMax) {
        List<String> problems = new ArrayList<>();
        if (frameBytesMax < FRAME_BYTES_MIN || frameBytesMax > FRAME_BYTES_LIMIT) {
            problems.add("frameBytesMax: " + frameBytesMax + " is not in " + FRAME_BYTES_MIN + "-" + FRAME_BYTES_LIMIT);
        }
        positive(problems, "commandBytesMax", commandBytesMax);
        positive(problems, "clientQueueMax", clientQueueMax);
        positive(problems, "peerQueueMax", peerQueueMax);
        positive(problems, "pendingCommandsMax", pendingCommandsMax);
        positive(problems, "inflightSlotsMax", inflightSlotsMax);
        positive(problems, "storeBatchSlotsMax", storeBatchSlotsMax);
        positive(problems, "storeBatchBytesMax", storeBatchBytesMax);
        positive(problems, "readSlotsMax", readSlotsMax);
        positive(problems, "catchUpSlotsMax", catchUpSlotsMax);
        positive(problems, "snapshotChunkBytesMax", snapshotChunkBytesMax);
        positive(problems, "httpBodyBytesMax", httpBodyBytesMax);
        positive(problems, "httpConnectionsPerAddressMax", httpConnectionsPerAddressMax);
        // A store message holds up to storeBatchBytesMax of commands plus the one that crosses it.
        long storeBytes = (long) storeBatchBytesMax + commandBytesMax + FRAME_OVERHEAD_BYTES;
        if (problems.isEmpty() && storeBytes > frameBytesMax) {
            problems.add("frameBytesMax: " + frameBytesMax + " cannot carry a full store message (storeBatchBytesMax "
                    + storeBatchBytesMax + " + commandBytesMax " + commandBytesMax + " + " + FRAME_OVERHEAD_BYTES
                    + " bytes of headers = " + storeBytes + ")");
        }
        long chunkBytes = (long) snapshotChunkBytesMax + FRAME_OVERHEAD_BYTES;
        if (problems.isEmpty() && chunkBytes > frameBytesMax) {
            problems.add("frameBytesMax: " + frameBytesMax + " cannot carry a snapshot chunk (snapshotChunkBytesMax "
                    + snapshotChunkBytesMax + " + " + FRAME_OVERHEAD_BYTES + " bytes of headers = " + chunkBytes + ")");
        }
        return problems;
    }

    private static void positive(List<String> problems, String name, int value) {
        if (value < 1) {
            problems.add(name + ": must be positive, was " + value);
        }
    }
}
