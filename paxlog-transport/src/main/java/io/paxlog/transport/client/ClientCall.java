package io.paxlog.transport.client;

import java.util.Arrays;

/**
 * A client's command for the replicated state machine. {@code callId} matches the answer to the call
 * on one connection; {@code (clientId, sequence)} identify the command across retries, so a retried
 * command applies once. The payload array is owned by the call: nobody mutates it after construction.
 */
public record ClientCall(long callId, long clientId, long sequence, byte[] payload) {

    public ClientCall {
        if (payload == null) {
            throw new IllegalArgumentException("call payload must not be null");
        }
        // Same rules as io.paxlog.api.Command: client id 0 is the no-op's, sequences start at 1.
        if (clientId < 1 || sequence < 1) {
            throw new IllegalArgumentException(
                    "clientId and sequence must be >= 1, were " + clientId + " and " + sequence);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientCall c
                && c.callId == callId
                && c.clientId == clientId
                && c.sequence == sequence
                && Arrays.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(callId) * 31 + Long.hashCode(clientId)) * 31 + Long.hashCode(sequence)) * 31
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "call#" + callId + "(c" + clientId + "#" + sequence + ", " + payload.length + "B)";
    }
}
