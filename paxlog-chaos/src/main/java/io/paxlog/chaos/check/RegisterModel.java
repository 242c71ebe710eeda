package io.paxlog.chaos.check;

import java.util.Objects;

/**
 * A register per key, as the kv store is one: read, write, and compare-and-set, where every written value
 * is unique in the history. Unique values are what make a duplicate apply or a lost write visible: a
 * value read can only come from the one write of it.
 */
public final class RegisterModel implements Model<RegisterModel.State, RegisterModel.Input, RegisterModel.Output> {

    public static final RegisterModel INSTANCE = new RegisterModel();

    /** The register's value; null while the key was never written. */
    public record State(String value) {}

    public sealed interface Input {}

    /** A read of the key. */
    public record Read() implements Input {
        @Override
        public String toString() {
            return "read";
        }
    }

    /** Sets the key to {@code value}. */
    public record Write(String value) implements Input {
        public Write {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "write " + value;
        }
    }

    /**
     * Sets the key to {@code value} only if it holds {@code expected} (null: only if absent). The kv
     * store compares versions, not values; with unique values the two say the same, since a version
     * names the one write that made it.
     */
    public record Cas(String expected, String value) implements Input {
        public Cas {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "cas " + expected + "->" + value;
        }
    }

    public sealed interface Output {}

    /** What a read saw: null if the key was absent. */
    public record ReadValue(String value) implements Output {
        @Override
        public String toString() {
            return value == null ? "absent" : value;
        }
    }

    /** A write was done. */
    public record Written() implements Output {
        @Override
        public String toString() {
            return "ok";
        }
    }

    /** A compare-and-set answered whether it wrote. */
    public record CasResult(boolean swapped) implements Output {
        @Override
        public String toString() {
            return swapped ? "swapped" : "mismatch";
        }
    }

    private RegisterModel() {}

    @Override
    public State initial() {
        return new State(null);
    }

    @Override
    public State step(State state, Input input, Output output) {
        // Java 17 has no pattern switch; the hierarchy is sealed, so the chain below is complete.
        if (input instanceof Read) {
            return output == null || output instanceof ReadValue seen && Objects.equals(seen.value(), state.value())
                    ? state : null;
        }
        if (input instanceof Write write) {
            return output == null || output instanceof Written ? new State(write.value()) : null;
        }
        Cas cas = (Cas) input;
        boolean matches = Objects.equals(cas.expected(), state.value());
        State after = matches ? new State(cas.value()) : state;
        if (output == null) {
            return after;
        }
        return output instanceof CasResult result && result.swapped() == matches ? after : null;
    }
}
