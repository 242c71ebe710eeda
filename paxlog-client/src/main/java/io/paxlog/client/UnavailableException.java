package io.paxlog.client;

/**
 * No server took the command: until the client gave up (its no-leader timeout, or the request
 * timeout) every attempt failed before reaching a server's log: the servers were unreachable or
 * answered {@code BUSY}. The message lists what each server answered. The command was not applied.
 */
public final class UnavailableException extends CommandNotAppliedException {

    UnavailableException(long clientId, long sequence, String message) {
        super(clientId, sequence, message);
    }
}
