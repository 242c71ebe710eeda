package io.paxlog.core;

import io.paxlog.api.Command;

/**
 * A command a client asks this server to put in the log. {@code requestId} is the runtime's handle to
 * answer it; it is local to this server and never replicated.
 */
public record ClientRequest(long requestId, Command command) {

    public ClientRequest {
        if (requestId <= 0) {
            throw new IllegalArgumentException("request ids are positive, was " + requestId);
        }
        if (command == null || command.isNoop()) {
            throw new IllegalArgumentException("a client request needs a client command");
        }
    }
}
