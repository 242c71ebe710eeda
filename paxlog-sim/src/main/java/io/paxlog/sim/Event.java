package io.paxlog.sim;

/** A scheduled happening in simulated time. Ordered by time, then by scheduling order. */
final class Event implements Comparable<Event> {

    enum Type {
        DELIVER,          // payload: Envelope
        TICK,             // server's timer
        DURABLE,          // aux: the disk's fsync token (a batch id once deferred); payload: SimStorage
        SNAPSHOT_SAVED,   // aux: the slot of a snapshot the disk saved, deferred while the server was paused
        CLIENT_REQUEST,   // payload: ClientRequest, to server
        CLIENT_REPLY,     // payload: SimClient.Reply, to client aux
        CLIENT_TIMEOUT,   // aux: request id, client index in server field
        CLIENT_RETRY,     // aux: request id that asked for the retry
        CLIENT_ISSUE,     // client index in server field
        NEMESIS,
        RESTART,
        RESUME,
        FLAP,             // payload: int[] {from, to}, aux: remaining toggles
        LIVENESS,
        CHECK,
        FENCED_WRITE      // payload: SimWorkload.FencedWrite
    }

    final long time;
    final long order;
    final Type type;
    final int server;
    final int incarnation;
    final long aux;
    final Object payload;

    Event(long time, long order, Type type, int server, int incarnation, long aux, Object payload) {
        this.time = time;
        this.order = order;
        this.type = type;
        this.server = server;
        this.incarnation = incarnation;
        this.aux = aux;
        this.payload = payload;
    }

    @Override
    public int compareTo(Event other) {
        int byTime = Long.compare(time, other.time);
        return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
}
