package io.paxlog.sim;

import io.paxlog.api.message.Envelope;

/**
 * A happening in simulated time, one record per kind, each saying exactly whom it concerns: a server's
 * id, a client's index, never one field that is sometimes either. Handled through {@link Handler}, so a
 * new kind does not compile until the simulation handles it (Java 17 has no exhaustive switch over
 * records).
 */
sealed interface Event {

    /** Handles every kind of event; one method per kind. */
    interface Handler {
        void deliver(Deliver event);

        void tick(Tick event);

        void diskDone(DiskDone event);

        void clientRequest(ClientRequest event);

        void clientReply(ClientReply event);

        void clientConnect(ClientConnect event);

        void clientLost(ClientLost event);

        void clientTimer(ClientTimer event);

        void clientIssue(ClientIssue event);

        void nemesis(NemesisActs event);

        void restart(Restart event);

        void resume(Resume event);

        void flap(Flap event);

        void fencedWrite(FencedWrite event);

        void liveness(StartLiveness event);

        void check(CheckConverged event);

        void reconfigure(Reconfigure event);
    }

    void accept(Handler handler);

    /** A message arrives at {@code envelope.to()}. */
    record Deliver(Envelope envelope) implements Event {
        public void accept(Handler handler) {
            handler.deliver(this);
        }
    }

    /** A server's timer fires; stale once the server restarted ({@code incarnation} differs). */
    record Tick(int server, int incarnation) implements Event {
        public void accept(Handler handler) {
            handler.tick(this);
        }
    }

    /** A server's disk finishes the fsync {@code token} stands for. */
    record DiskDone(int server, int incarnation, SimStorage disk, long token) implements Event {
        public void accept(Handler handler) {
            handler.diskDone(this);
        }
    }

    /** An attempt of a client's command or read arrives at {@code server}. */
    record ClientRequest(int server, SimClient.Request request) implements Event {
        public void accept(Handler handler) {
            handler.clientRequest(this);
        }
    }

    /** A server's answer arrives back at client {@code client}. */
    record ClientReply(int client, SimClient.Reply reply) implements Event {
        public void accept(Handler handler) {
            handler.clientReply(this);
        }
    }

    /** Client {@code client}'s connection attempt {@code attempt} reaches {@code server} (or finds it down). */
    record ClientConnect(int client, long attempt, int server) implements Event {
        public void accept(Handler handler) {
            handler.clientConnect(this);
        }
    }

    /** The connection carrying attempt {@code attempt} broke: {@code server} crashed with the call pending. */
    record ClientLost(int client, long attempt, int server) implements Event {
        public void accept(Handler handler) {
            handler.clientLost(this);
        }
    }

    /** A timer client {@code client}'s core asked for fires. */
    record ClientTimer(int client) implements Event {
        public void accept(Handler handler) {
            handler.clientTimer(this);
        }
    }

    /** Client {@code client} starts its next operation, if it has none outstanding. */
    record ClientIssue(int client) implements Event {
        public void accept(Handler handler) {
            handler.clientIssue(this);
        }
    }

    /** The nemesis picks its next fault. */
    record NemesisActs() implements Event {
        public void accept(Handler handler) {
            handler.nemesis(this);
        }
    }

    /** A crashed server comes back. */
    record Restart(int server) implements Event {
        public void accept(Handler handler) {
            handler.restart(this);
        }
    }

    /** A paused server wakes up. */
    record Resume(int server) implements Event {
        public void accept(Handler handler) {
            handler.resume(this);
        }
    }

    /** The link {@code from -> to} toggles; {@code togglesLeft} more toggles follow. */
    record Flap(int from, int to, int togglesLeft) implements Event {
        public void accept(Handler handler) {
            handler.flap(this);
        }
    }

    /** A client's write reaches a fenced resource. */
    record FencedWrite(SimWorkload.FencedWrite write) implements Event {
        public void accept(Handler handler) {
            handler.fencedWrite(this);
        }
    }

    /** The safety phase ends: heal a majority and demand progress. */
    record StartLiveness() implements Event {
        public void accept(Handler handler) {
            handler.liveness(this);
        }
    }

    /** The liveness phase checks whether the healed majority converged. */
    /** An operator changes the membership through the current leader (docs/membership.md). */
    record Reconfigure() implements Event {
        public void accept(Handler handler) {
            handler.reconfigure(this);
        }
    }

    record CheckConverged() implements Event {
        public void accept(Handler handler) {
            handler.check(this);
        }
    }

    /** An event at its simulated time; ordered by time, then by the order it was scheduled in. */
    record Scheduled(long time, long order, Event event) implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
