package io.paxlog.api.transport;

import io.paxlog.api.message.Envelope;

/**
 * Sends messages to other servers.
 *
 * <p>Contract: {@link #send} must not block and must not throw on network trouble; it may drop the
 * message (the protocol tolerates loss, duplication and reordering and re-sends what matters).
 * Messages to this server itself never reach a transport: the core handles them internally.
 */
public interface Transport {

    void send(Envelope envelope);
}
