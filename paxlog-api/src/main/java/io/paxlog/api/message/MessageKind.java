package io.paxlog.api.message;

/** The kinds of {@link Message}; switch over it to handle messages exhaustively. */
public enum MessageKind {
    OVERTHROW(false),
    OVERTHROW_OK(true),
    REJECTED(false),
    STORE(false),
    STORE_OK(true),
    FINALIZE(false),
    FINALIZE_REPLY(false),
    READ(false),
    READ_REPLY(true),
    QUERY(false),
    QUERY_REPLY(false),
    SNAPSHOT_REQUEST(false),
    // A chunk promises nothing: a snapshot holds only chosen commands, true whether or not durable.
    SNAPSHOT_CHUNK(false),
    // The pre-vote asks and answers a question; neither changes nor reports durable state.
    PRE_OVERTHROW(false),
    PRE_OVERTHROW_REPLY(false);

    private final boolean promisesDurableState;

    MessageKind(boolean promisesDurableState) {
        this.promisesDurableState = promisesDurableState;
    }

    /**
     * Rule D: a reply of this kind promises or reports state that must be on disk before it leaves
     * the server, so it may only be sent once the writes before it are durable.
     */
    public boolean promisesDurableState() {
        return promisesDurableState;
    }
}
