package io.paxlog.core;

import io.paxlog.api.Command;

/**
 * A slot the leader stored under its epoch and that is not chosen yet.
 *
 * <p>{@code ackedMask} has bit {@code i} set when {@code members.get(i)} acknowledged the store
 * durably; the slot is chosen once a majority of bits is set.
 */
final class Proposal {

    final long slot;
    final Command command;
    int ackedMask;
    long sentAt;

    Proposal(long slot, Command command, long sentAt) {
        this.slot = slot;
        this.command = command;
        this.sentAt = sentAt;
    }

    int ackCount() {
        return Integer.bitCount(ackedMask);
    }
}
