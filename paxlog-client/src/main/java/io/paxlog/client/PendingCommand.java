package io.paxlog.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One submitted command, or one query (a read: {@link #read}), and the state of its attempts. A query
 * never gets a sequence, never enters the window and never waits for room. Everything but {@link #future} belongs to the
 * client's network thread ({@link Dispatcher}).
 *
 * <p>Invariant: at most one attempt is under way at a time ({@link Stage#CONNECTING} or
 * {@link Stage#SENT}); the callbacks of an attempt compare {@link #attempt} and ignore themselves once
 * a newer attempt started or the command is {@link Stage#DONE}.
 */
final class PendingCommand {

    enum Stage {
        /** Waiting for room among the outstanding commands; no sequence yet, nothing sent. */
        WAITING,
        /** An attempt waits for its connection; this attempt has sent nothing yet. */
        CONNECTING,
        /** An attempt's call is on the wire, unanswered. */
        SENT,
        /** Between attempts, waiting for the retry timer. */
        BACKOFF,
        /** Completed or failed; nothing more happens. */
        DONE
    }

    /** The command's (or query's) bytes; owned here (a copy of the caller's), never mutated. */
    final byte[] payload;
    /** A read-only query: sent as a READ call, retried anywhere, never "outcome unknown". */
    final boolean read;
    /** A query's number among this client's queries, for the messages; 0 for a command. */
    long queryId;
    /** Completed on the callback executor, once. */
    final CompletableFuture<Result> future = new CompletableFuture<>();

    /** 0 until the command enters the window; then fixed for every attempt (the point of exactly-once). */
    long sequence;
    Stage stage = Stage.WAITING;
    /** Number of the current attempt, from 1. */
    int attempt;
    /** The server of the current or last attempt. */
    int server;
    /**
     * Set once an attempt reached a server and came back without an answer that excludes the command
     * from the log (dropped connection, NOT_LEADER, NO_QUORUM). From then on, failures are "unknown".
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
    ScheduledFuture<?> timeout;
    ScheduledFuture<?> retry;

    PendingCommand(byte[] payload) {
        this(payload, false);
    }

    PendingCommand(byte[] payload, boolean read) {
        this.payload = payload;
        this.read = read;
    }

    void reached(String server) {
        if (!mayHaveBeenApplied) {
            mayHaveBeenApplied = true;
            reachedBy = server;
        }
    }
}
