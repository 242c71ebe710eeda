package io.paxlog.storage;

/**
 * The log can no longer make writes durable (fsync failed, disk full, I/O error, or a bug on the
 * committer thread). Handed to the {@link FatalErrorHandler}; afterwards {@link WalStorage#write}
 * throws it too. Nothing queued or written after the last successful fsync is ever reported durable.
 */
public final class WalFatalException extends RuntimeException {

    public WalFatalException(String message, Throwable cause) {
        super(message, cause);
    }
}
