package io.paxlog.core;

import io.paxlog.api.Command;

/**
 * A slot the leader stored under its epoch and that is not chosen yet.
 *
 * <p>{@code acked} holds the servers that acknowledged the store durably; the slot is chosen once they
 * hold a majority of the membership governing it (learners and strangers count for nothing there).
 */
final class Proposal {

    final long slot;
    final Command command;
    final java.util.Set<Integer> acked = new java.util.HashSet<>();
    long sentAt;

    Proposal(long slot, Command command, long sentAt) {
        this.slot = slot;
        this.command = command;
        this.sentAt = sentAt;
    }
}
