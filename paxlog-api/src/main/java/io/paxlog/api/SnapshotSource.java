package io.paxlog.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A state frozen at one point of the log, that writes itself out later: what {@link
 * StateMachine#snapshotSource()} returns. Taking one must be cheap (the loop thread takes it between two
 * applies and goes on applying); writing it may be slow, and happens on another thread while the loop
 * keeps changing the live state.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Frozen.</b> {@link #writeTo} writes the state as it was when the source was taken, whatever
 *       was applied since: the bytes {@link StateMachine#snapshot()} would have returned at that moment.
 *       So two replicas that applied the same commands write the same bytes, however late each writes.
 *   <li><b>Threads.</b> {@link #writeTo} may run on any thread, concurrently with {@code apply}, {@code
 *       query} and {@code restore} on the loop thread and with the taking of newer sources. It therefore
 *       reads only what no later apply changes: immutable or persistent structures it captured, never the
 *       machine's mutable fields. One thread at a time calls it; it may be called again (a retry writes
 *       the same bytes).
 *   <li><b>Resources.</b> It holds only memory (the captured structure); it needs no closing, and
 *       dropping it releases what the live state no longer shares.
 * </ul>
 */
@FunctionalInterface
public interface SnapshotSource {

    /**
     * Writes the frozen state to {@code out}. Does not close or flush {@code out}: the caller owns it.
     *
     * @throws IOException only when {@code out} throws; the state itself always writes
     */
    void writeTo(OutputStream out) throws IOException;

    /** The bytes {@link #writeTo} writes, in one array: for small states and tests. */
    default byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a snapshot to memory cannot fail, but did", e);
        }
        return out.toByteArray();
    }

    /** A source of bytes already serialized; {@code bytes} must not be modified afterwards. */
    static SnapshotSource of(byte[] bytes) {
        return out -> out.write(bytes);
    }
}
