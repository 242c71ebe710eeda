package io.paxlog.api.message;

/** A message with its sender and its destination server ids. */
public record Envelope(int from, int to, Message message) {

    public Envelope {
        if (message == null) {
            throw new IllegalArgumentException("envelope needs a message");
        }
    }

    @Override
    public String toString() {
        return from + "->" + to + " " + message;
    }
}
