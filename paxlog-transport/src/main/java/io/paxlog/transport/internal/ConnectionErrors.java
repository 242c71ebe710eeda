package io.paxlog.transport.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.paxlog.transport.frame.FrameException;
import java.io.IOException;
import org.slf4j.Logger;

/** How every handler in this module ends a connection that misbehaved or failed. */
public final class ConnectionErrors {

    private ConnectionErrors() {}

    /**
     * Closes the connection after {@code cause}, with one log line naming the remote address: WARN for a
     * broken rule (bad frame, bad content, anything unexpected), DEBUG for ordinary network trouble (a
     * reset), which the protocol expects. Called on the channel's event loop.
     */
    public static void close(ChannelHandlerContext ctx, Throwable cause, Logger log, String what) {
        Throwable reason = cause instanceof DecoderException && !(cause instanceof FrameException)
                        && cause.getCause() != null
                ? cause.getCause()
                : cause;
        // A frame cut off by the peer closing is found as the channel goes inactive, already closed:
        // still say why, once; anything else on a closed channel is an echo of what closed it.
        if (!ctx.channel().isOpen() && !(reason instanceof FrameException)) {
            return;
        }
        if (reason instanceof IOException) {
            log.debug("{} {} closed: {}", what, ctx.channel().remoteAddress(), reason.toString());
        } else if (reason instanceof FrameException) {
            log.warn("{} {} closed: {}", what, ctx.channel().remoteAddress(), reason.getMessage());
        } else {
            log.warn("{} {} closed: {}", what, ctx.channel().remoteAddress(), reason.toString(), reason);
        }
        ctx.close();
    }

    /** Closes the connection for a reason found by a handler (not an exception), with one WARN line. */
    public static void close(ChannelHandlerContext ctx, String reason, Logger log, String what) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        log.warn("{} {} closed: {}", what, ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}
