package io.paxlog.transport.client;

/**
 * What the server does with a client's call. Called on a Netty event loop thread: it must not block.
 * The server hands the call to its loop thread and answers later through {@code reply}, from any
 * thread. Calls from one connection arrive in the order the client sent them.
 */
@FunctionalInterface
public interface ClientHandler {

    void call(ClientCall call, ClientReplyChannel reply);
}
