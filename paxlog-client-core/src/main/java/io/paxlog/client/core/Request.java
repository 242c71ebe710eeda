package io.paxlog.client.core;

/**
 * One submitted command, or one query ({@link #query}), and the state of its attempts. Owned by the
 * {@link ClientCore} that made it, like everything of the core.
 *
 * <p>Invariant: at most one attempt is under way ({@link Stage#CONNECTING} or {@link Stage#SENT}), and
 * {@link #attempt} is the only attempt id of this request the core still listens to; events naming an
 * older attempt, or any attempt of a {@link Stage#DONE} request, are stale and ignored.
 */
final class Request<H> {

    enum Stage {
        /** Waiting for room in the window; no sequence yet, nothing sent. */
        WAITING,
        /** An attempt waits for its connection; it has sent nothing yet. */
        CONNECTING,
        /** An attempt's call was handed to a connection and is unanswered. */
        SENT,
        /** Between attempts, waiting for the retry deadline. */
        BACKOFF,
        /** Completed; nothing more happens. */
        DONE
    }

    /** What the request is. */
    enum Kind {
        /** A command of the client's session, in its window. */
        COMMAND,
        /** A command under an idempotency key: its own id, sequence 1, outside the window. */
        KEYED,
        /** A read-only query. */
        QUERY,
        /** The client's own: open a session. */
        REGISTER,
        /** The client's own: keep the idle session open. */
        KEEP_ALIVE;

        /**
         * Whether every failure of it leaves nothing the caller must know about, so any server may be asked
         * again: a read changes nothing; a lost register at worst leaves a session nobody uses, which
         * expires; a keep-alive is idempotent.
         */
        boolean readLike() {
            return this == QUERY || this == REGISTER || this == KEEP_ALIVE;
        }

        /** The client's own request, which no caller waits for. */
        boolean internal() {
            return this == REGISTER || this == KEEP_ALIVE;
        }
    }

    /** What a deadline ends: the whole request, a backoff, or the wait for one attempt's answer. */
    enum Wait {
        REQUEST,
        RETRY,
        ATTEMPT
    }

    /** A point in time something of this request waits for; ordered by time, then by creation. */
    record Deadline(long at, long order, Request<?> request, Wait kind, long attempt) {}

    final H handle;
    /** The request's bytes, owned by the core (the shell copies the caller's), never mutated. */
    final byte[] payload;
    final Kind kind;
    /** {@link Kind#readLike}: retried anywhere, never "outcome unknown", outside the window. */
    final boolean query;
    /** A query's number among this client's queries, for the messages; 0 for a command. */
    final long queryId;

    /**
     * The id the command carries: its session's (set when it enters the window), its key's, or the
     * session a keep-alive keeps; 0 for a query or a register.
     */
    long clientId;
    /** 0 until the command enters the window; then fixed for every attempt (the point of exactly-once). */
    long sequence;
    Stage stage = Stage.WAITING;
    /** The id of the current or last attempt, 0 before the first. */
    long attempt;
    /** The server of the current or last attempt. */
    int server;
    /**
     * Set once an attempt reached a server and came back without an answer that excludes the command
     * from the log (dropped connection, NOT_LEADER, NO_QUORUM). From then on, failures are "unknown".
     * Never set for a query.
     */
    boolean mayHaveBeenApplied;
    /** The first server such an attempt reached, for the messages. */
    String reachedBy = "";
    /** What the last finished attempt got, for the messages. */
    String lastOutcome = "";
    /** Hints followed in a row without a backoff; bounded so two servers pointing at each other cannot spin. */
    int hintsFollowed;
    /** Backoffs so far, for the exponential delay. */
    int backoffs;
    /** The request timeout, from submit; null once done. */
    Deadline timeout;
    /** The end of the current backoff, or null. */
    Deadline retry;
    /** When the current attempt stops waiting for its server, or null. */
    Deadline attemptDeadline;

    Request(H handle, byte[] payload, Kind kind, long queryId) {
        this.handle = handle;
        this.payload = payload;
        this.kind = kind;
        this.query = kind.readLike();
        this.queryId = queryId;
    }

    void reached(String serverName) {
        if (!mayHaveBeenApplied) {
            mayHaveBeenApplied = true;
            reachedBy = serverName;
        }
    }
}
