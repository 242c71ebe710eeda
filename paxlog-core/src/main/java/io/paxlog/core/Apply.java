package io.paxlog.core;

import io.paxlog.api.Command;

/**
 * A finalized command to apply now, in slot order. {@code requestId} names the local client request
 * waiting for its result, or is 0 when nobody here waits for it.
 */
public record Apply(long slot, Command command, long requestId) {}
