package io.paxlog.sim;

/** An invariant of docs/protocol.md#invariants broke; the simulation stops at once and reports it. */
public final class Violation extends RuntimeException {

    public Violation(String message) {
        super(message);
    }
}
