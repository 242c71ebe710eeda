package io.paxlog.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the flushes that reach a connection's socket, so that messages per flush (frames out over
 * flushes) can be watched: the peer wire is meant to carry a burst of a step's messages in one write.
 * Placed below the {@link io.netty.handler.flush.FlushConsolidationHandler}, it sees only the flushes
 * that handler let through. Runs on the channel's event loop; the adder is shared with the network's
 * other connections.
 */
final class FlushCounter extends ChannelOutboundHandlerAdapter {

    private final LongAdder flushes;

    FlushCounter(LongAdder flushes) {
        this.flushes = flushes;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushes.increment();
        ctx.flush();
    }
}
