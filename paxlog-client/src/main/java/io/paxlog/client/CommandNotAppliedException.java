package io.paxlog.client;

/**
 * The command was not applied and never will be: it was never sent (the client was closed, or it
 * waited for room among the outstanding commands until its timeout), or, in the subclasses, the
 * cluster refused it or no server could take it. Submitting it again is safe. Every failure of a query
 * ({@link PaxlogClient#query}) is one of these: a read applies nothing.
 */
public sealed class CommandNotAppliedException extends PaxlogClientException
        permits CommandRejectedException, UnavailableException, QueryTimeoutException, SessionExpiredException,
        KeyReusedException {

    CommandNotAppliedException(long clientId, long sequence, String message) {
        super(clientId, sequence, message, null);
    }

    @Override
    public final boolean mayHaveBeenApplied() {
        return false;
    }
}
