package io.paxlog.api;

/**
 * A leader's ballot: {@code (round, serverId)}, ordered by round first, then by server id, so no two
 * leaders ever share one (docs/protocol.md#epochs-and-slots).
 *
 * <p>{@link #ZERO} is below every epoch a server can pick; a fresh server has promised it.
 */
public record Epoch(long round, int serverId) implements Comparable<Epoch> {

    public static final Epoch ZERO = new Epoch(0, 0);

    public Epoch {
        if (round < 0) {
            throw new IllegalArgumentException("epoch round must be >= 0, was " + round);
        }
        if (serverId < 0) {
            throw new IllegalArgumentException("epoch server id must be >= 0, was " + serverId);
        }
    }

    @Override
    public int compareTo(Epoch other) {
        int byRound = Long.compare(round, other.round);
        return byRound != 0 ? byRound : Integer.compare(serverId, other.serverId);
    }

    public boolean isAbove(Epoch other) {
        return compareTo(other) > 0;
    }

    public boolean isBelow(Epoch other) {
        return compareTo(other) < 0;
    }

    public static Epoch max(Epoch a, Epoch b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return round + "." + serverId;
    }
}
