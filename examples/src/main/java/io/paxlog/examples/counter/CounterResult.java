package io.paxlog.examples.counter;

import java.util.Objects;

/**
 * What the counters answered. A refusal is a result, not an exception: applying a command must give the
 * same answer on every server, and an exception on one server but not another would not.
 */
public sealed interface CounterResult {

    /** The counter's value after the command. */
    record Value(String name, long value) implements CounterResult {
        public Value {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The command was applied at a slot and changed nothing, for {@code reason}. */
    record Rejected(String reason) implements CounterResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
