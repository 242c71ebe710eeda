package io.paxlog.examples.counter;

import java.util.Objects;

/** What a client asks of the counters. {@link CounterCodec} writes these as text, e.g. {@code add visits 5}. */
public sealed interface CounterCommand {

    /** Adds {@code delta} (may be negative) to the counter {@code name}, which starts at 0: the new value. */
    record Add(String name, long delta) implements CounterCommand {
        public Add {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The counter's value (0 if never added to). Read-only: a query, or a command through the log. */
    record Get(String name) implements CounterCommand {
        public Get {
            Objects.requireNonNull(name, "name");
        }
    }
}
