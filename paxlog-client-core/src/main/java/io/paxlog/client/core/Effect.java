package io.paxlog.client.core;

/**
 * What {@link ClientCore} asks its owner to do. The owner carries effects out in the order given,
 * through a {@link Handler}: one method per kind, so a new kind of effect does not compile until every
 * owner (the Netty shell, the simulator) handles it.
 *
 * @param <H> the caller's handle for a request, given at submit and handed back in {@link Complete}
 */
public sealed interface Effect<H> permits Effect.Connect, Effect.SendCommand, Effect.SendQuery, Effect.SendRegister,
        Effect.SendKeepAlive, Effect.ArmTimer, Effect.Complete, Effect.LeaderChanged {

    /** Carries this effect out on {@code handler}. */
    void applyTo(Handler<H> handler);

    /** The owner's side of every effect. */
    interface Handler<H> {
        void connect(Connect<H> connect);

        void sendCommand(SendCommand<H> send);

        void sendQuery(SendQuery<H> send);

        void sendRegister(SendRegister<H> send);

        void sendKeepAlive(SendKeepAlive<H> send);

        void armTimer(ArmTimer<H> timer);

        void complete(Complete<H> complete);

        void leaderChanged(LeaderChanged<H> change);
    }

    /**
     * Get a connection to {@code server} for attempt {@code attempt} (reuse an open one), then report
     * {@link ClientCore#connected} or {@link ClientCore#connectFailed}. Nothing is sent yet: the core
     * decides on {@code connected} whether the attempt is still wanted.
     */
    record Connect<H>(long attempt, int server) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.connect(this);
        }
    }

    /**
     * Put the command {@code (clientId, sequence)} on the connection to {@code server} that attempt
     * {@code attempt} just reported connected; {@code attempt} doubles as the call id (unique among
     * this client's calls). Then report {@link ClientCore#answered} or {@link ClientCore#lost}, or
     * {@link ClientCore#connectFailed} if the call could not be written at all.
     */
    record SendCommand<H>(long attempt, int server, long clientId, long sequence, byte[] payload) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.sendCommand(this);
        }
    }

    /** As {@link SendCommand}, for a read-only query: it has no sequence. */
    record SendQuery<H>(long attempt, int server, byte[] payload) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.sendQuery(this);
        }
    }

    /** As {@link SendCommand}, for a register: open a session (docs/protocol.md#client-sessions). */
    record SendRegister<H>(long attempt, int server) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.sendRegister(this);
        }
    }

    /** As {@link SendCommand}, for a keep-alive of the idle session {@code sessionId}. */
    record SendKeepAlive<H>(long attempt, int server, long sessionId) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.sendKeepAlive(this);
        }
    }

    /**
     * Call {@link ClientCore#timerFired} at time {@code at} or later. One timer is enough: a later
     * {@code ArmTimer} with an earlier time may replace it, and each {@code timerFired} arms again
     * whatever the core still waits for, so an early or extra firing is harmless.
     */
    record ArmTimer<H>(long at) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.armTimer(this);
        }
    }

    /**
     * The request {@code handle} ended with {@code outcome}. {@code sequence} is the command's (0 for a
     * query, or for a command that never got one because it was never sent). Exactly once per request.
     */
    record Complete<H>(H handle, long sequence, Outcome outcome) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.complete(this);
        }
    }

    /** The client now believes {@code leader} leads (0: it knows none); {@code why} for the logs. */
    record LeaderChanged<H>(int previous, int leader, String why) implements Effect<H> {
        @Override
        public void applyTo(Handler<H> handler) {
            handler.leaderChanged(this);
        }
    }
}
