package io.paxlog.client;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.paxlog.transport.client.ClientConnection;
import io.paxlog.transport.client.ClientConnectionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's connection to one server: opened on first use, shared by every command sent there,
 * reopened after it ends. Network thread only.
 */
final class ServerLink {

    /** Told when the connection is ready or could not be opened. */
    interface Waiter {
        void ready(ClientConnection connection, Throwable error);
    }

    /**
     * After a failed connect, attempts within this long fail at once with the same error instead of
     * connecting again: many pipelined commands retrying a dead server open one socket per interval,
     * not one each.
     */
    static final long RECONNECT_INTERVAL_NANOS = 50_000_000L;

    final int id;
    private final ClientConnectionConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;

    /** The open connection, or null. */
    private ClientConnection open;
    /** The connect under way, or null. */
    private CompletableFuture<ClientConnection> connecting;
    /**
     * Waiters for {@link #connecting}, in the order they came. Kept here rather than as callbacks on the
     * future, which would run last-registered first and send pipelined commands in reverse.
     */
    private List<Waiter> waiters = new ArrayList<>();
    private Throwable lastFailure;
    private long lastFailureNanos;
    private boolean closed;

    ServerLink(int id, ClientConnectionConfig config, EventLoopGroup group) {
        this.id = id;
        this.config = config;
        this.group = group;
        this.loop = group.next();
    }

    /**
     * Hands {@code waiter} the open connection now, or once it is open, or the error if the server
     * cannot be reached. Waiters are served in the order they asked.
     */
    void withConnection(long nowNanos, Waiter waiter) {
        if (closed) {
            waiter.ready(null, new IllegalStateException("the client is closed"));
            return;
        }
        if (open != null && open.isOpen()) {
            waiter.ready(open, null);
            return;
        }
        open = null;
        if (connecting == null && lastFailure != null && nowNanos - lastFailureNanos < RECONNECT_INTERVAL_NANOS) {
            waiter.ready(null, lastFailure);
            return;
        }
        waiters.add(waiter);
        if (connecting == null) {
            CompletableFuture<ClientConnection> attempt = ClientConnection.connect(config, group);
            connecting = attempt;
            attempt.whenComplete((connection, error) -> {
                if (loop.inEventLoop()) {
                    connected(connection, error);
                } else {
                    loop.execute(() -> connected(connection, error));
                }
            });
        }
    }

    /** The open connection, or null if there is none right now. */
    ClientConnection open() {
        return open != null && open.isOpen() ? open : null;
    }

    private void connected(ClientConnection connection, Throwable error) {
        connecting = null;
        List<Waiter> ready = waiters;
        waiters = new ArrayList<>();
        if (error != null) {
            lastFailure = error;
            lastFailureNanos = System.nanoTime();
        } else if (closed) {
            connection.close();
            error = new IllegalStateException("the client is closed");
            connection = null;
        } else {
            lastFailure = null;
            open = connection;
        }
        for (Waiter waiter : ready) {
            waiter.ready(connection, error);
        }
    }

    /** Closes the connection; returns a future that completes once it has ended (at once if none). */
    CompletableFuture<Void> close() {
        closed = true;
        if (open != null) {
            open.close();
            return open.closed();
        }
        if (connecting != null) {
            return connecting.thenCompose(connection -> {
                connection.close();
                return connection.closed();
            }).exceptionally(error -> null);
        }
        return CompletableFuture.completedFuture(null);
    }
}
