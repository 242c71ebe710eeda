package io.paxlog.client.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's session (docs/protocol.md#client-sessions): which one its commands carry, whether a
 * register is under way, and when the idle session needs a keep-alive. {@link ClientCore} sends the
 * register and keep-alive requests and reports how they ended; this decides what that means for the
 * session. Times are the core's nanoseconds.
 *
 * <p>The keep-alive interval is a third of the session timeout, which the servers return with a
 * register (their log's timeout when the session was opened): a session with a keep-alive applied at
 * least every third of its timeout never goes silent for a whole one, unless no leader can apply
 * anything for that long.
 *
 * <p>Thread: the core's.
 */
final class SessionKeeper {

    private static final long NONE = Long.MIN_VALUE;
    private static final long NANOS_PER_MS = 1_000_000;

    private long id;
    private long keepAliveIntervalNanos;
    private long lastActive;
    private long keepAliveAt = NONE;
    private Request<?> register;
    private Request<?> keepAlive;
    private String lastFailure = "no register was answered yet";

    long id() {
        return id;
    }

    boolean opening() {
        return register != null;
    }

    String lastFailure() {
        return lastFailure;
    }

    long keepAliveAt() {
        return id == 0 || keepAlive != null ? NONE : keepAliveAt;
    }

    void registerSent(Request<?> request) {
        register = request;
    }

    void keepAliveSent(Request<?> request) {
        keepAlive = request;
    }

    /** Whether a keep-alive should go now: the session was idle for the interval and none is under way. */
    boolean keepAliveDue(long now) {
        if (id == 0 || keepAlive != null || keepAliveAt == NONE || now < keepAliveAt) {
            return false;
        }
        if (now - lastActive < keepAliveIntervalNanos) {
            keepAliveAt = lastActive + keepAliveIntervalNanos; // a command kept it alive meanwhile
            return false;
        }
        return true;
    }

    /** A command or keep-alive of session {@code session} was applied at {@code now}. */
    void active(long session, long now) {
        if (session == id) {
            lastActive = now;
        }
    }

    /** The servers said {@code session} is not open; returns whether it was the current one (now dropped). */
    boolean expired(long session) {
        if (session != id || id == 0) {
            return false;
        }
        id = 0;
        keepAliveAt = NONE;
        lastFailure = "session " + session + " expired";
        return true;
    }

    /** The register or keep-alive still under way, to end when the client closes. */
    List<Request<?>> ownRequestsRaw() {
        List<Request<?>> own = new ArrayList<>(2);
        if (register != null) {
            own.add(register);
        }
        if (keepAlive != null) {
            own.add(keepAlive);
        }
        return own;
    }

    @SuppressWarnings("unchecked")
    <H> List<Request<H>> ownRequests() {
        List<Request<H>> own = new ArrayList<>(2);
        for (Request<?> request : ownRequestsRaw()) {
            own.add((Request<H>) request);
        }
        return own;
    }

    /** A register or keep-alive ended with {@code outcome} at {@code now}. */
    void ended(Request<?> request, Outcome outcome, long now) {
        if (request == register) {
            register = null;
            if (outcome instanceof Outcome.Applied applied) {
                opened(applied.result(), now);
            } else {
                lastFailure = "the last register ended: " + outcome.message();
            }
        } else if (request == keepAlive) {
            keepAlive = null;
            // Applied or not, look again in a third of the interval: a failed one is retried soon enough.
            keepAliveAt = now + Math.max(1, keepAliveIntervalNanos / 3);
        } else {
            throw new AssertionError("a request of the client's own that it does not know ended: " + outcome);
        }
    }

    /** The register's result: the session id and the session timeout in milliseconds, two big-endian longs. */
    private void opened(byte[] result, long now) {
        if (result.length != 16) {
            throw new IllegalStateException("a register answered " + result.length + " bytes, not a session id and "
                    + "timeout (16): the server speaks another protocol");
        }
        long session = readLong(result, 0);
        long timeoutMs = readLong(result, 8);
        if (session < 1 || session >= ClientIdRanges.KEYED_MIN || timeoutMs < 1) {
            throw new IllegalStateException("a register answered session " + session + " with a timeout of "
                    + timeoutMs + " ms");
        }
        id = session;
        lastActive = now;
        keepAliveIntervalNanos = Math.max(1, timeoutMs * NANOS_PER_MS / 3);
        keepAliveAt = now + keepAliveIntervalNanos;
    }

    private static long readLong(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[at + i] & 0xff);
        }
        return value;
    }
}
