package io.paxlog.transport.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Event loop groups on epoll where the native library loads (Linux x86-64), on NIO elsewhere. */
public final class EventLoops {

    private EventLoops() {}

    /** A group of {@code threads} daemon event loops named {@code name-N}. */
    public static MultiThreadIoEventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory(name, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The socket channel class that runs on {@code group}. */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return usesEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return usesEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static boolean usesEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && Epoll.isAvailable() && io.isIoType(EpollIoHandler.class);
    }

    /**
     * Shuts {@code group} down and waits for it at most {@code timeout}. Returns false if it did not
     * terminate in time (its threads are daemons, so they cannot keep the JVM alive).
     */
    public static boolean shutdown(EventLoopGroup group, Duration timeout) {
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return group.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
