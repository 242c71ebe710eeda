package io.paxlog.chaos.net;

/** The directed link from server {@code from} to server {@code to}: {@code from}'s messages to {@code to}. */
public record Link(int from, int to) {

    public Link {
        if (from < 1 || to < 1 || from == to) {
            throw new IllegalArgumentException("a link joins two distinct servers: " + from + "->" + to);
        }
    }

    @Override
    public String toString() {
        return from + "->" + to;
    }
}
