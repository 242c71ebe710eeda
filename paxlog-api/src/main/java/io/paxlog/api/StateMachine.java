package io.paxlog.api;

import java.io.IOException;
import java.io.InputStream;

/**
 * The application replicated by paxlog. Every server feeds it the same finalized commands in the same
 * slot order, so every server reaches the same state.
 *
 * <p>Contract: {@link #apply} must be deterministic. It may depend only on the state built by earlier
 * calls and on its arguments: no clock, no randomness, no environment. Anything that depends on time
 * (expiry, leases) must arrive as a command. It is called from one thread at a time, never
 * concurrently. No-op commands and repeats of an already applied {@code (clientId, sequence)} never
 * reach it: the exactly-once layer filters them out.
 *
 * <p><b>Snapshots: which methods to implement.</b> Every machine implements {@link #snapshot()} and
 * {@link #restore(byte[])}. That is enough for a small state: the runtime's defaults of {@link
 * #snapshotSource()} and {@link #restore(InputStream)} go through them. A machine whose state may grow
 * large also overrides those two, so that the loop thread only freezes a view ({@link SnapshotSource})
 * and the storage's thread serializes it while commands go on being applied; it then keeps its state in
 * a persistent (structurally shared) or copy-on-write structure, and its {@code snapshot()} may simply
 * be {@code snapshotSource().toByteArray()}. All four must agree: the same state gives the same bytes
 * through either path, and either restore reads what either snapshot wrote.
 */
public interface StateMachine {

    /**
     * Applies one finalized command and returns its result, which is handed to the client that
     * submitted the command and remembered for retries.
     *
     * @param slot    the log slot of the command; strictly increasing across calls
     * @param payload the command's payload; must not be modified
     * @return the result; never null (use an empty array for "nothing")
     */
    byte[] apply(long slot, byte[] payload);

    /**
     * The whole state, serialized, as it stands after the last applied command. Called between two
     * {@link #apply} calls, never during one. Must be deterministic: two replicas that applied the
     * same commands return the same bytes.
     */
    byte[] snapshot();

    /**
     * Replaces the whole state with one produced by {@link #snapshot()} (on this or another server).
     * Throws {@link IllegalArgumentException} if the bytes are not a snapshot it understands, and then
     * keeps its current state.
     */
    void restore(byte[] snapshot);

    /**
     * The state as it stands after the last applied command, frozen, to be written later on any thread
     * (contract: {@link SnapshotSource}). Called on the loop thread between two {@link #apply} calls;
     * should take time independent of the state's size, since every command waits meanwhile. The bytes
     * it writes are those {@link #snapshot()} returns now.
     *
     * <p>The default serializes at once, through {@link #snapshot()}: right for small states only.
     */
    default SnapshotSource snapshotSource() {
        return SnapshotSource.of(snapshot());
    }

    /**
     * Replaces the whole state with the one {@code snapshot} holds: exactly the bytes a {@link
     * #snapshotSource()} (or {@link #snapshot()}) wrote, on this or another server, then the end of the
     * stream. Called on the loop thread. It reads the stream to its end and does not close it. On bytes
     * it does not understand it throws {@link IllegalArgumentException} and keeps its current state.
     *
     * <p>The default reads everything into one array and calls {@link #restore(byte[])}.
     *
     * @throws IOException only when reading {@code snapshot} throws
     */
    default void restore(InputStream snapshot) throws IOException {
        restore(snapshot.readAllBytes());
    }

    /**
     * Answers a read-only {@code request} from the current state, without changing it. The server calls
     * this on the thread that applies commands, after a read-index round proved the state current
     * (linearizable reads without writing to the log). A state machine that answers no reads keeps
     * this default.
     *
     * @throws UnsupportedOperationException when this state machine answers no reads
     * @throws IllegalArgumentException      for a query it cannot parse
     */
    default byte[] query(byte[] request) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " answers no reads");
    }
}
