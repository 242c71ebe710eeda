package io.paxlog.core;

/** What a server is doing in the protocol. */
public enum Role {
    /**
     * Follows whoever leads. When it hears from no leader for a while it asks, in a pre-vote, whether a
     * majority would promise a new epoch, and starts an overthrow only if so; it stays passive while it
     * asks ({@link Replica#preVoting}).
     */
    PASSIVE,
    /** Sent overthrow(e) and waits for a majority, itself included. */
    CANDIDATE,
    /** A majority promised its epoch: it recovers earlier slots and replicates new commands. */
    LEADER
}
