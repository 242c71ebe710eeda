package io.paxlog.transport.client;

import java.net.SocketAddress;

/** The way back to the client connection a call came from. */
public interface ClientReplyChannel {

    /**
     * Sends {@code answer} to the client. Thread-safe, never blocks, never throws on network trouble: if
     * the connection is gone the answer is dropped (the client sees the call's outcome as unknown and
     * retries with the same sequence). A client that stops reading answers is disconnected once its
     * unsent answers exceed the listener's limit.
     */
    void answer(ClientAnswer answer);

    /** False once the connection is closed; a server may skip work for a call nobody waits for. */
    boolean isOpen();

    SocketAddress remoteAddress();
}
