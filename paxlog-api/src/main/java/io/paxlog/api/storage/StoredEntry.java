package io.paxlog.api.storage;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;

/** A command accepted for a slot at an epoch, as written to durable storage. */
public record StoredEntry(long slot, Epoch epoch, Command command) {

    public StoredEntry {
        if (slot < 1) {
            throw new IllegalArgumentException("slots start at 1, was " + slot);
        }
        if (epoch == null || command == null) {
            throw new IllegalArgumentException("stored entry needs an epoch and a command");
        }
    }
}
