package io.paxlog.core;

import java.util.ArrayList;
import java.util.List;

/** What a leader knows of one other server. */
final class Peer {

    final int id;
    /** The peer's first unfinalized slot as last reported; a lower bound of its real one. */
    long firstUnfinalizedSlot = 1;
    /** Highest slot of the newest catch-up finalize sent; only its answer continues the catch-up. */
    long catchUpSentTo;
    /** When the newest catch-up finalize was sent. */
    long catchUpAt = Long.MIN_VALUE;
    /** The highest query round the peer answered at the leader's epoch (read-index and check-quorum). */
    long roundAcked;
    /** Chosen slots to finalize on this peer at the end of the step. */
    final List<Long> toFinalize = new ArrayList<>();

    Peer(int id) {
        this.id = id;
    }
}
