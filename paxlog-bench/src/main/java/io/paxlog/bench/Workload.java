package io.paxlog.bench;

/** What the closed-loop client asks of the cluster. */
public enum Workload {
    /** kv puts of unique keys through the system's own Java client. */
    WRITE,
    /** Linearizable reads (read-index: confirmed by a quorum, never through the log) of preloaded keys. */
    READ,
    /** Half writes, half reads (YCSB's workload A mix), each operation drawn at random. */
    MIX,
    /** kv puts of unique keys through the HTTP API (paxlog only: the peers have none). */
    HTTP_WRITE;

    /** Whether the operations are writes, reads or both (which keys must be preloaded). */
    public boolean reads() {
        return this == READ || this == MIX;
    }
}
