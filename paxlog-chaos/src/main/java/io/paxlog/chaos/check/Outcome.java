package io.paxlog.chaos.check;

/** How an operation ended, as far as its client can tell. */
public enum Outcome {
    /** Acknowledged, with its output: it took effect exactly once, between its invocation and completion. */
    OK,
    /** Definitely not applied: it must never have taken effect, so the checker leaves it out. */
    FAILED,
    /**
     * May or may not have taken effect, at any time after its invocation: the checker treats it as
     * completing at infinity with an output it does not know, so it can be placed last, where its effect
     * is seen by no acknowledged operation, or earlier, where it explains what others saw.
     */
    UNKNOWN
}
