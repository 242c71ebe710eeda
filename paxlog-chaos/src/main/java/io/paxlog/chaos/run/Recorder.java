package io.paxlog.chaos.run;

import io.paxlog.chaos.check.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * The history of a run, written by every client thread: each operation with its invocation and
 * completion on one monotonic clock, and for acknowledged reads and writes the version (slot) the server
 * named, which the checker does not need but the duplicate count does.
 */
public final class Recorder<I, O> {

    /** A version a server reported for {@code value} of {@code key}: the slot of the write that made it. */
    public record Version(String key, String value, long version) {}

    private final long origin = System.nanoTime();
    private final List<Operation<I, O>> operations = new ArrayList<>();
    private final List<Version> versions = new ArrayList<>();

    /** Nanoseconds since the recorder was made: the history's clock. */
    public long now() {
        return System.nanoTime() - origin;
    }

    public synchronized void add(int client, String key, I input, O output, io.paxlog.chaos.check.Outcome outcome, long invoke, long complete) {
        operations.add(new Operation<>(operations.size(), client, key, input, output, outcome, invoke, complete));
    }

    public synchronized void version(String key, String value, long version) {
        versions.add(new Version(key, value, version));
    }

    public synchronized List<Operation<I, O>> operations() {
        return List.copyOf(operations);
    }

    public synchronized List<Version> versions() {
        return new ArrayList<>(versions);
    }
}
