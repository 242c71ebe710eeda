package io.paxlog.core;

/** What a server is doing in the protocol. */
public enum Role {
    /** Follows whoever leads; starts an overthrow when it hears from no leader for a while. */
    PASSIVE,
    /** Sent overthrow(e) and waits for a majority, itself included. */
    CANDIDATE,
    /** A majority promised its epoch: it recovers earlier slots and replicates new commands. */
    LEADER
}
