package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.storage.RecoveredState;
import java.util.Set;

/**
 * Builds the pieces of a {@link Replica}. Production code uses this class as it is; tests subclass it
 * (in this package) to swap in a deliberately broken rule and prove that the simulator catches it.
 */
class Parts {

    Outbox newOutbox(int selfId) {
        return new Outbox(selfId);
    }

    Acceptor newAcceptor(Outbox out, RecoveredState recovered) {
        return new Acceptor(out, recovered);
    }

    Leader newLeader(Replica replica, Epoch epoch, Set<Integer> overthrowAcked, long lastUsedSlot) {
        return new Leader(replica, epoch, overthrowAcked, lastUsedSlot);
    }

    Takeover newTakeover(Leader leader, long lastUsedSlot) {
        return new Takeover(leader, lastUsedSlot);
    }

    ReadIndex newReadIndex(Leader leader) {
        return new ReadIndex(leader);
    }

    PreVote newPreVote(Replica replica) {
        return new PreVote(replica);
    }
}
