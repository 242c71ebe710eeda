package io.paxlog.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchedWriterTest {

    /** Counts the flushes that reach the socket end of the pipeline. */
    private static final class Flushes extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }

    @Test
    void aBurstIsWrittenInOrderWithOneTaskAndOneFlush() {
        Flushes flushes = new Flushes();
        EmbeddedChannel channel = new EmbeddedChannel(flushes);
        BatchedWriter writer = new BatchedWriter(channel);
        List<Boolean> written = new ArrayList<>();
        for (String message : List.of("a", "b", "c")) {
            writer.write(message, f -> written.add(f.isSuccess()));
        }
        assertThat((Object) channel.readOutbound()).as("nothing before the event loop ran").isNull();
        channel.runPendingTasks();
        assertThat(List.of(channel.readOutbound(), channel.readOutbound(), channel.readOutbound()))
                .containsExactly("a", "b", "c");
        assertThat(flushes.count).isEqualTo(1);
        assertThat(written).containsExactly(true, true, true);
        // The next burst schedules a drain of its own.
        writer.write("d", f -> written.add(f.isSuccess()));
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isEqualTo("d");
        assertThat(flushes.count).isEqualTo(2);
    }

    @Test
    void aMessageWrittenAfterTheChannelClosedFailsItsWrite() {
        EmbeddedChannel channel = new EmbeddedChannel();
        BatchedWriter writer = new BatchedWriter(channel);
        channel.close();
        List<Boolean> written = new ArrayList<>();
        writer.write("late", f -> written.add(f.isSuccess()));
        channel.runPendingTasks();
        assertThat(written).containsExactly(false);
    }
}
