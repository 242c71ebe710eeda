package io.paxlog.api.message;

import io.paxlog.api.Command;

/** A command proposed for one slot, as carried by {@link Store}. */
public record SlotCommand(long slot, Command command) {

    public SlotCommand {
        Messages.requireSlot(slot);
        if (command == null) {
            throw new IllegalArgumentException("slot " + slot + " needs a command");
        }
    }

    @Override
    public String toString() {
        return slot + "=" + command;
    }
}
