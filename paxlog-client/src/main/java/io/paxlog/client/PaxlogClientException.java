package io.paxlog.client;

/**
 * A command did not complete with a result. The two subclasses tell the caller what it may assume:
 *
 * <ul>
 *   <li>{@link OutcomeUnknownException}: the command may or may not have been applied, and may still
 *       be applied later by a copy already in the log. Never treat it as failed: a command submitted
 *       again is a new command (a new sequence) and may apply a second time.
 *   <li>{@link CommandNotAppliedException}: the command was not applied and never will be; submitting
 *       it again is safe.
 * </ul>
 *
 * <p>Checked on purpose: the caller has to decide what an unknown outcome means for it.
 */
public abstract sealed class PaxlogClientException extends Exception
        permits OutcomeUnknownException, CommandNotAppliedException {

    private final long clientId;
    private final long sequence;

    PaxlogClientException(long clientId, long sequence, String message, Throwable cause) {
        super(message, cause);
        this.clientId = clientId;
        this.sequence = sequence;
    }

    /** The client that submitted the command. */
    public long clientId() {
        return clientId;
    }

    /** The command's sequence, or 0 if it never got one (it was never sent). */
    public long sequence() {
        return sequence;
    }

    /** True when the command may have been applied; the class says the same. */
    public abstract boolean mayHaveBeenApplied();

    /** How every message names a command: as the servers' logs do, {@code c<clientId>#<sequence>}. */
    static String command(long clientId, long sequence) {
        return "command c" + clientId + "#" + (sequence == 0 ? "-" : Long.toString(sequence));
    }
}
