package io.paxlog.chaos.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder for one directed link X->Y between two servers: X's configuration names this proxy's
 * port as Y's peer address, so every byte of the connection X opens to Y, both ways, passes here.
 * Server X sends to Y only on that connection (the transport's {@code OutboundPeer}); what comes back on
 * it is Y's handshake answer and keep-alive pings, never a protocol message, so cutting it cuts exactly
 * "X's messages to Y".
 *
 * <p>The link is up (bytes are forwarded, with TCP's back-pressure) or down (bytes are read and thrown
 * away, as lost packets would be; the sender is never blocked, so its queue drains and it carries on
 * believing it sent). A connection that lost a byte, in either direction, is <em>tainted</em>: it never
 * forwards another byte, and is closed when the link comes back up, so the receiver sees a prefix of
 * what was sent and then the end, never a frame with a hole in it; the sender reconnects on its own. A
 * connection accepted while the link is down is tainted from the start (it never reaches Y). A
 * connection that lost nothing during a down period (none of its bytes arrived then) carries on.
 *
 * <p>Threads: one selector thread per proxy owns every channel, buffer and the link state; {@link #down}
 * and {@link #up} (any thread) hand it a task and wait until it is done, so when they return the new
 * state holds for every byte read afterwards. Counters are atomic and read from any thread.
 */
public final class LinkProxy implements AutoCloseable {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long TASK_TIMEOUT_MS = 5_000;

    private final String name;
    private final InetSocketAddress target;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Selector thread only. */
    private final Set<Pipe> pipes = new HashSet<>();
    /** Selector thread only. */
    private final ByteBuffer scratch = ByteBuffer.allocate(BUFFER_BYTES);
    /** Written on the selector thread only; volatile for {@link #isUp} from elsewhere. */
    private volatile boolean up = true;
    private volatile boolean closed;

    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong discardedBytes = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong closedAtHeal = new AtomicLong();

    private LinkProxy(String name, InetSocketAddress target, Selector selector, ServerSocketChannel listener) {
        this.name = name;
        this.target = target;
        this.selector = selector;
        this.listener = listener;
        this.thread = new Thread(this::loop, "pxc-proxy-" + name);
        this.thread.setDaemon(true); // never keeps a harness JVM alive; close() ends it in order
    }

    /** Listens on a free loopback port and forwards every connection to {@code target}; starts up. */
    public static LinkProxy start(String name, InetSocketAddress target) {
        try {
            Selector selector = Selector.open();
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            LinkProxy proxy = new LinkProxy(name, target, selector, listener);
            proxy.thread.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the proxy of link " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /** The loopback port the sender connects to. */
    public int port() {
        return listener.socket().getLocalPort();
    }

    public boolean isUp() {
        return up;
    }

    /** From now on every byte on this link, either way, is lost. Waits until the selector applied it. */
    public void down() {
        run(() -> {
            up = false;
            // Bytes read but not yet written are lost now: their connection can never forward again.
            for (Pipe pipe : pipes) {
                if (pipe.toTarget.position() > 0 || pipe.toSender.position() > 0) {
                    pipe.taint(pipe.toTarget.position() + pipe.toSender.position());
                }
            }
        });
    }

    /** Forwards again; closes every connection that lost bytes. Waits until the selector applied it. */
    public void up() {
        run(() -> {
            up = true;
            for (Pipe pipe : new ArrayList<>(pipes)) {
                if (pipe.tainted) {
                    closedAtHeal.incrementAndGet();
                    pipe.close();
                }
            }
        });
    }

    public long forwardedBytes() {
        return forwardedBytes.get();
    }

    public long discardedBytes() {
        return discardedBytes.get();
    }

    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections closed by {@link #up} because they had lost bytes. */
    public long connectionsClosedAtHeal() {
        return closedAtHeal.get();
    }

    private void run(Runnable task) {
        if (closed) {
            throw new IllegalStateException("the proxy of link " + name + " is closed");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            done.get(TASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while changing link " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("link " + name + " could not change state", e);
        }
    }

    private void loop() {
        try {
            while (!closed) {
                selector.select(1000);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                Set<SelectionKey> ready = selector.selectedKeys();
                for (SelectionKey key : ready) {
                    handle(key);
                }
                ready.clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                System.err.println("paxlog chaos: the proxy of link " + name + " failed: " + e);
            }
        } finally {
            for (Pipe pipe : new ArrayList<>(pipes)) {
                pipe.close();
            }
        }
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.channel() == listener) {
            accept();
            return;
        }
        Pipe pipe = (Pipe) key.attachment();
        try {
            if (key.isConnectable()) {
                pipe.connected();
            }
            if (key.isValid() && key.isReadable()) {
                pipe.readable((SocketChannel) key.channel());
            }
            if (key.isValid() && key.isWritable()) {
                pipe.writable((SocketChannel) key.channel());
            }
        } catch (IOException e) {
            pipe.close(); // a reset or refused connection ends the pair, as it would end a direct one
        }
    }

    private void accept() {
        SocketChannel sender;
        try {
            sender = listener.accept();
            if (sender == null) {
                return;
            }
            sender.configureBlocking(false);
            sender.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            return; // the peer gave up before we took it
        }
        accepted.incrementAndGet();
        Pipe pipe = new Pipe(sender);
        pipes.add(pipe);
        try {
            pipe.senderKey = sender.register(selector, SelectionKey.OP_READ, pipe);
            if (!up) {
                pipe.taint(0); // it never reaches the target: lost like a connection attempt in a cut
                return;
            }
            SocketChannel upstream = SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            pipe.target = upstream;
            pipe.targetKey = upstream.register(selector, SelectionKey.OP_CONNECT, pipe);
            if (upstream.connect(target)) {
                pipe.connected();
            }
        } catch (IOException e) {
            pipe.close();
        }
    }

    /** One connection through the proxy: the sender's socket and ours to the target. Selector thread only. */
    private final class Pipe {
        final SocketChannel sender;
        SocketChannel target;
        SelectionKey senderKey;
        SelectionKey targetKey;
        /** Bytes read from the sender, not yet written to the target (write mode: position = bytes held). */
        final ByteBuffer toTarget = ByteBuffer.allocate(BUFFER_BYTES);
        /** Bytes read from the target, not yet written to the sender. */
        final ByteBuffer toSender = ByteBuffer.allocate(BUFFER_BYTES);
        boolean targetConnected;
        /** Lost a byte: never forwards again, closed at the next heal. */
        boolean tainted;
        boolean closed;

        Pipe(SocketChannel sender) {
            this.sender = sender;
        }

        void taint(long lostBytes) {
            tainted = true;
            discardedBytes.addAndGet(lostBytes);
            toTarget.clear();
            toSender.clear();
            if (targetKey != null && targetKey.isValid()) {
                targetKey.interestOps(targetConnected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
            }
            if (senderKey != null && senderKey.isValid()) {
                senderKey.interestOps(SelectionKey.OP_READ);
            }
        }

        void connected() throws IOException {
            target.finishConnect();
            targetConnected = true;
            int ops = SelectionKey.OP_READ;
            if (!tainted && toTarget.position() > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
            targetKey.interestOps(ops);
        }

        void readable(SocketChannel from) throws IOException {
            boolean fromSender = from == sender;
            if (tainted || !up) {
                scratch.clear();
                int n = from.read(scratch);
                if (n < 0) {
                    close();
                } else if (n > 0) {
                    taint(n);
                }
                return;
            }
            ByteBuffer buffer = fromSender ? toTarget : toSender;
            int n = from.read(buffer);
            if (n < 0) {
                close(); // one side ended: so does the other, as a direct connection's would
                return;
            }
            SocketChannel to = fromSender ? target : sender;
            boolean canWrite = fromSender ? targetConnected : true;
            if (canWrite) {
                flush(buffer, to);
            }
            updateInterest();
        }

        void writable(SocketChannel to) throws IOException {
            if (!tainted) {
                flush(to == target ? toTarget : toSender, to);
            }
            updateInterest();
        }

        private void flush(ByteBuffer buffer, SocketChannel to) throws IOException {
            buffer.flip();
            int n = to.write(buffer);
            forwardedBytes.addAndGet(n);
            buffer.compact();
        }

        /** Read while there is room to hold what is read; write while something is held. */
        private void updateInterest() {
            if (closed || tainted) {
                return;
            }
            int senderOps = (toTarget.hasRemaining() ? SelectionKey.OP_READ : 0)
                    | (toSender.position() > 0 ? SelectionKey.OP_WRITE : 0);
            senderKey.interestOps(senderOps);
            if (targetConnected) {
                int targetOps = (toSender.hasRemaining() ? SelectionKey.OP_READ : 0)
                        | (toTarget.position() > 0 ? SelectionKey.OP_WRITE : 0);
                targetKey.interestOps(targetOps);
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            pipes.remove(this);
            closeQuietly(sender);
            if (target != null) {
                closeQuietly(target);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to save
        }
    }

    /** Closes the listener and every connection, and ends the selector thread. Idempotent; any thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(TASK_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            listener.close();
            selector.close();
        } catch (IOException ignored) {
            // best effort: the sockets go with the JVM at worst
        }
    }
}
