package io.paxlog.api.message;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;

/** What a server holds for one slot: the epoch it accepted the command at, and whether it is finalized. */
public record SlotState(long slot, Epoch acceptedEpoch, Command command, boolean finalized) {

    public SlotState {
        Messages.requireSlot(slot);
        Messages.requireEpoch(acceptedEpoch);
        if (command == null) {
            throw new IllegalArgumentException("slot state needs a command");
        }
    }

    @Override
    public String toString() {
        return slot + "=" + command + "@" + acceptedEpoch + (finalized ? "F" : "");
    }
}
