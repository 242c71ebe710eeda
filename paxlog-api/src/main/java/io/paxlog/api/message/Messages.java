package io.paxlog.api.message;

import io.paxlog.api.Epoch;

/** Argument checks shared by the message records. */
final class Messages {

    private Messages() {}

    static void requireEpoch(Epoch epoch) {
        if (epoch == null) {
            throw new IllegalArgumentException("message needs an epoch");
        }
    }

    static void requireSlot(long slot) {
        if (slot < 1) {
            throw new IllegalArgumentException("slots start at 1, was " + slot);
        }
    }

    static void requireSlot(Long slot) {
        if (slot == null) {
            throw new IllegalArgumentException("slot must not be null");
        }
        requireSlot(slot.longValue());
    }

    static void requireSlotOrZero(long slot) {
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0, was " + slot);
        }
    }
}
