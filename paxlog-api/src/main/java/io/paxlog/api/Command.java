package io.paxlog.api;

import java.util.Arrays;

/**
 * One entry of the replicated log: an opaque application payload tagged with the client that issued
 * it and that client's sequence number, so that a retried command is applied once
 * (docs/protocol.md#exactly-once).
 *
 * <p>{@link #NOOP} fills slots that no server remembers after a leader change; it changes nothing.
 * The payload array is owned by the command: callers must not mutate it after construction.
 */
public record Command(long clientId, long sequence, byte[] payload) {

    public static final Command NOOP = new Command(0, 0, new byte[0]);

    public Command {
        if (payload == null) {
            throw new IllegalArgumentException("command payload must not be null");
        }
        if (clientId < 0 || sequence < 0) {
            throw new IllegalArgumentException(
                    "clientId and sequence must be >= 0, were " + clientId + " and " + sequence);
        }
        if (clientId == 0 && (sequence != 0 || payload.length != 0)) {
            throw new IllegalArgumentException("clientId 0 is reserved for the no-op command");
        }
        if (clientId != 0 && sequence == 0) {
            throw new IllegalArgumentException("client sequences start at 1");
        }
    }

    public boolean isNoop() {
        return clientId == 0;
    }

    /** Bytes this command takes in a batch; used to bound messages and batches. */
    public int sizeBytes() {
        return 16 + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c
                && c.clientId == clientId
                && c.sequence == sequence
                && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(clientId) * 31 + Long.hashCode(sequence)) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return isNoop() ? "noop" : "c" + clientId + "#" + sequence + "(" + payload.length + "B)";
    }
}
