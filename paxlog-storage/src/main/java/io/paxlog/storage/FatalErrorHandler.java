package io.paxlog.storage;

/**
 * What the server does when its log fails for good. The log has already stopped acknowledging when
 * this is called: no batch after the last successful fsync will be reported durable, so Rule D holds
 * whatever the handler does. A server should stop: it cannot accept or promise anything any more.
 *
 * <p>Contract: called at most once, on the committer thread (the I/O thread, or the thread calling
 * {@link WalStorage#commitPending()}). Must not throw. May not return (exit the process).
 */
@FunctionalInterface
public interface FatalErrorHandler {

    /** Exit status of {@link #exitProcess()}: distinct from a normal stop (0) and from usage errors. */
    int EXIT_STATUS = 70;

    void onFatal(WalFatalException error);

    /** The default for a server: print the error to stderr and exit with {@link #EXIT_STATUS}. */
    static FatalErrorHandler exitProcess() {
        return error -> {
            System.err.println("paxlog: FATAL storage error, stopping (exit status " + EXIT_STATUS + "): "
                    + error.getMessage());
            error.printStackTrace(System.err);
            System.err.flush();
            System.exit(EXIT_STATUS);
        };
    }
}
