package io.paxlog.client;

/**
 * A query ({@link PaxlogClient#query}) got no answer within the request timeout: the servers were
 * unreachable, no leader could prove its state current in time, or the answer was lost. A read changes
 * nothing and is never logged, so unlike a command's timeout this is not "outcome unknown": nothing was
 * applied, and asking again is always safe. It is a {@link CommandNotAppliedException} for that reason;
 * {@link #sequence()} is 0, since reads have no sequence. The message says what the last attempt got.
 */
public final class QueryTimeoutException extends CommandNotAppliedException {

    QueryTimeoutException(long clientId, String message) {
        super(clientId, 0, message);
    }
}
