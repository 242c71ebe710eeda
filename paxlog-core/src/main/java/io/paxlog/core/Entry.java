package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;

/** What a server holds for one slot (docs/protocol.md#epochs-and-slots). Finalized entries never change. */
public record Entry(Epoch epoch, Command command, boolean finalized) {

    Entry finalizedCopy() {
        return finalized ? this : new Entry(epoch, command, true);
    }
}
