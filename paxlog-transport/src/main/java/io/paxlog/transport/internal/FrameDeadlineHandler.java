package io.paxlog.transport.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Closes a connection on which no whole frame arrived in time: within {@code firstFrameTimeout} of
 * connecting (the handshake), then within {@code frameTimeout} of the previous frame.
 *
 * <p>It sits after the frame decoder and counts whole frames, not bytes, so it catches a silent
 * sender and a slow one alike: a sender dribbling a frame byte by byte never completes one. Senders
 * that may be idle send {@code PING} frames well within the timeout. Runs on the channel's event loop.
 */
public final class FrameDeadlineHandler extends ChannelDuplexHandler {

    private final long firstFrameNanos;
    private final long frameNanos;
    private final Logger log;
    private final String what;
    private long lastFrameAt;
    private boolean anyFrame;
    private ScheduledFuture<?> check;

    public FrameDeadlineHandler(Duration firstFrameTimeout, Duration frameTimeout, Logger log, String what) {
        this.firstFrameNanos = firstFrameTimeout.toNanos();
        this.frameNanos = frameTimeout.toNanos();
        this.log = log;
        this.what = what;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lastFrameAt = System.nanoTime();
        schedule(ctx, firstFrameNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastFrameAt = System.nanoTime();
        anyFrame = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long allowed = anyFrame ? frameNanos : firstFrameNanos;
        long left = lastFrameAt + allowed - System.nanoTime();
        if (left <= 0) {
            ConnectionErrors.close(ctx,
                    (anyFrame ? "no whole frame within " : "no first frame (handshake) within ")
                            + TimeUnit.NANOSECONDS.toMillis(allowed) + " ms",
                    log, what);
        } else {
            schedule(ctx, left);
        }
    }
}
