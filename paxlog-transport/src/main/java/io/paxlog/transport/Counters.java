package io.paxlog.transport;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link PeerNetworkCounters}; updated from any thread. */
final class Counters {

    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final AtomicInteger connectedPeers = new AtomicInteger();

    PeerNetworkCounters snapshot() {
        return new PeerNetworkCounters(framesIn.sum(), framesOut.sum(), flushes.sum(), bytesIn.sum(), bytesOut.sum(),
                dropped.sum(), reconnects.sum(), connectedPeers.get());
    }
}
