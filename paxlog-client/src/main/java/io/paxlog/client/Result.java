package io.paxlog.client;

import java.util.Arrays;

/**
 * An applied command: the log slot it was applied at and the state machine's answer. A command that
 * was retried and applied by an earlier attempt gets the same slot and value (the servers' saved
 * result).
 *
 * @param slot the slot of the replicated log the command was applied at
 * @param value the state machine's result; the array belongs to the caller
 */
public record Result(long slot, byte[] value) {

    public Result {
        if (value == null) {
            throw new IllegalArgumentException("result value must not be null (may be empty)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Result r && r.slot == slot && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(slot) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Result(@" + slot + ", " + value.length + "B)";
    }
}
