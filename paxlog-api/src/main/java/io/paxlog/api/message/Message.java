package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/**
 * A message between two servers: one of the five RPCs of docs/protocol.md#rpcs or a reply to one, a
 * message of a snapshot transfer, or the pre-vote that comes before an overthrow (docs/prevote.md).
 *
 * <p>Every message carries an epoch. For a request it is the sender's leadership epoch; for a reply it
 * is the epoch of the request being answered. Every reply also carries the replying server's
 * {@code promised}, so a caller learns at once that it was overthrown.
 *
 * <p>Handle messages with a switch over {@link #kind()}: the compiler checks it is exhaustive.
 */
public sealed interface Message
        permits Overthrow, OverthrowOk, Rejected, Store, StoreOk, Finalize, FinalizeReply, Read,
                ReadReply, Query, QueryReply, SnapshotRequest, SnapshotChunk, PreOverthrow,
                PreOverthrowReply {

    Epoch epoch();

    MessageKind kind();

    /** Bytes this message takes on the wire, roughly; used to bound batches. */
    default int sizeBytes() {
        return 32;
    }
}
