package io.paxlog.core.runtime;

/**
 * What a server answers a client's command. Mirrors the client protocol's answer, so the network
 * adapter translates it field by field.
 *
 * @param slot       the log slot the command was chosen at; for a read, the applied slot its state is that
 *                   of, which is 0 for a read answered before anything was applied; 0 unless {@link Status#APPLIED}
 * @param result     the state machine's result (also for a retry of an applied command); empty otherwise
 * @param leaderHint the server believed to lead, 0 when unknown; set with {@link Status#NOT_LEADER}
 * @param message    for people: why the command was not applied; empty when it was
 */
public record CommandAnswer(Status status, long slot, byte[] result, int leaderHint, String message) {

    public enum Status {
        /** Chosen and applied (now or, for a retry, before); {@code result} holds the answer. */
        APPLIED,
        /** This server does not lead; retry at {@code leaderHint}. The command may still be chosen. */
        NOT_LEADER,
        /** No leader is known (no majority reachable, or an election under way); retry later. */
        NO_QUORUM,
        /** Too many commands waiting; retry later. */
        BUSY,
        /** The command itself is refused (too large, malformed, too old to know); do not retry as is. */
        REJECTED,
        /** The server failed or is stopping; the outcome is unknown, retry elsewhere. */
        ERROR,
        /** This copy was not applied: its session is not open (expired or never opened). */
        SESSION_EXPIRED,
        /** Not applied: its idempotency key was applied before with another command. */
        KEY_REUSED
    }

    private static final byte[] EMPTY = new byte[0];

    public CommandAnswer {
        if (status == null || result == null || message == null) {
            throw new IllegalArgumentException("an answer needs a status, a result and a message");
        }
        // A read served by a new leader before anything was applied (its own first command chosen at a
        // slot above a gap it is still filling) answers at applied slot 0: the simulator found a real
        // server would have failed its loop on that read when this required slot > 0.
        if (slot < 0 || (status != Status.APPLIED && slot != 0)) {
            throw new IllegalArgumentException("only an applied command or read has a slot: " + status + " " + slot);
        }
    }

    public static CommandAnswer applied(long slot, byte[] result) {
        return new CommandAnswer(Status.APPLIED, slot, result, 0, "");
    }

    public static CommandAnswer refused(Status status, int leaderHint, String message) {
        return new CommandAnswer(status, 0, EMPTY, leaderHint, message);
    }

    @Override
    public String toString() {
        return status + (slot > 0 ? " slot " + slot : "") + (leaderHint > 0 ? " leader " + leaderHint : "")
                + (message.isEmpty() ? "" : ": " + message);
    }
}
