package io.paxlog.core.runtime;

/**
 * Where the answer to one client command goes. Called exactly once per command, from the loop thread
 * or, for a call refused on arrival (busy, stopping, malformed), from the thread that submitted it.
 * Must not block; should not throw (the loop logs and carries on if it does).
 */
@FunctionalInterface
public interface ReplyChannel {

    void answer(CommandAnswer answer);
}
