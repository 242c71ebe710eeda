package io.paxlog.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.paxlog.transport.internal.EventLoops;
import java.time.Duration;

/**
 * Netty event loop threads for connections made outside this module's own listeners: a client
 * library's {@link io.paxlog.transport.client.ClientConnection}s, or a test's. On epoll where the
 * native library loads (Linux x86-64), on NIO elsewhere; the connections pick the matching channel
 * type themselves.
 *
 * <p>The threads are daemons named {@code name-N}. Whoever starts them closes them, after the
 * connections on them: closing does not close connections, it stops their threads.
 *
 * <p>Thread-safe.
 */
public final class NetworkThreads implements AutoCloseable {

    public static final Duration CLOSE_TIMEOUT_DEFAULT = Duration.ofSeconds(5);

    private final EventLoopGroup group;

    private NetworkThreads(EventLoopGroup group) {
        this.group = group;
    }

    /** Starts {@code threads} event loop threads named {@code name-N}. */
    public static NetworkThreads start(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("thread name must not be blank");
        }
        return new NetworkThreads(EventLoops.newGroup(threads, name));
    }

    /**
     * The group to pass to {@link io.paxlog.transport.client.ClientConnection#connect}. With one
     * thread, {@code group().next()} is always the loop every connection of this group runs on, so a
     * caller may keep its own state on that loop without locks.
     */
    public EventLoopGroup group() {
        return group;
    }

    /**
     * Stops the threads and waits for them at most {@code timeout}. Returns false if they did not
     * stop in time (being daemons, they cannot keep the JVM alive). Must not be called from one of
     * these threads: it would wait for itself.
     */
    public boolean close(Duration timeout) {
        for (EventExecutor thread : group) {
            if (thread.inEventLoop()) {
                throw new IllegalStateException("network threads cannot be closed from one of their own threads");
            }
        }
        return EventLoops.shutdown(group, timeout);
    }

    /** {@link #close(Duration)} with {@link #CLOSE_TIMEOUT_DEFAULT}. */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT_DEFAULT);
    }
}
