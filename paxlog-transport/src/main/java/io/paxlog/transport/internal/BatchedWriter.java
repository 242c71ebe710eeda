package io.paxlog.transport.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands one channel the messages another thread (the server's loop) writes, a burst at a time: the
 * writer queues each message, and the first of a burst schedules one task on the channel's event loop
 * that writes everything queued by then and flushes once. {@code channel.writeAndFlush} from outside
 * the event loop instead costs a task (and often a wake-up of the event loop, a syscall) per message,
 * which at 128 commands in flight was the largest allocation on a leader (Netty's write tasks, 18% of
 * the sampled bytes) besides the state machine's own.
 *
 * <p>Threads: {@link #write} from any thread (messages from one thread keep their order); the drain
 * runs on the channel's event loop. A message written after the channel closed fails its write like
 * any other, and its listener is told so.
 */
public final class BatchedWriter {

    private record Pending(Object message, ChannelFutureListener listener) {}

    private final Channel channel;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Whether a drain is scheduled and has not yet started taking from the queue. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    public BatchedWriter(Channel channel) {
        this.channel = channel;
    }

    /** Queues {@code message} for the channel; {@code listener} learns whether it was written. */
    public void write(Object message, ChannelFutureListener listener) {
        queue.add(new Pending(message, listener));
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drain);
        }
    }

    /** Event loop only. */
    private void drain() {
        // Cleared before taking: a message queued from now on schedules a drain of its own, so none is
        // left behind between our last poll and the flag.
        scheduled.set(false);
        Pending pending;
        boolean any = false;
        while ((pending = queue.poll()) != null) {
            channel.write(pending.message()).addListener(pending.listener());
            any = true;
        }
        if (any) {
            channel.flush();
        }
    }
}
