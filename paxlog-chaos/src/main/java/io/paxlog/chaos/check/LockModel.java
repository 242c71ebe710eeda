package io.paxlog.chaos.check;

import java.util.Objects;

/**
 * A lock per name with fencing tokens, as the lock service grants them: acquiring a free lock grants a
 * token greater than every token granted before; the holder acquiring again renews and keeps its token;
 * anyone else is refused and told the holder and token; the holder releases. Leases are taken as never
 * expiring: a workload checked with this model uses ttls far longer than the run (an expiry is a
 * transition no client invokes, which this model would call a violation).
 */
public final class LockModel implements Model<LockModel.State, LockModel.Input, LockModel.Output> {

    public static final LockModel INSTANCE = new LockModel();

    /** A token not known: granted by an acquire whose answer was lost. */
    public static final long UNKNOWN_TOKEN = -1;

    /**
     * @param holder who holds the lock, null if free
     * @param token the holder's token; {@link #UNKNOWN_TOKEN} if its grant's answer was lost
     * @param granted the highest token known to have been granted: every later grant exceeds it
     */
    public record State(String holder, long token, long granted) {}

    public sealed interface Input {}

    public record Acquire(String owner) implements Input {
        public Acquire {
            Objects.requireNonNull(owner, "owner");
        }

        @Override
        public String toString() {
            return "acquire " + owner;
        }
    }

    public record Release(String owner) implements Input {
        public Release {
            Objects.requireNonNull(owner, "owner");
        }

        @Override
        public String toString() {
            return "release " + owner;
        }
    }

    public sealed interface Output {}

    /** The acquire granted (or renewed) the lock with {@code token}. */
    public record Granted(long token) implements Output {
        @Override
        public String toString() {
            return "granted " + token;
        }
    }

    /** The acquire was refused: {@code holder} holds it with {@code token}. */
    public record Held(String holder, long token) implements Output {
        @Override
        public String toString() {
            return "held by " + holder + " " + token;
        }
    }

    /** The release freed the lock, whose token was {@code token}. */
    public record Released(long token) implements Output {
        @Override
        public String toString() {
            return "released " + token;
        }
    }

    /** The release was refused: the owner did not hold the lock (free, or another's). */
    public record NotHolder() implements Output {
        @Override
        public String toString() {
            return "not holder";
        }
    }

    private LockModel() {}

    @Override
    public State initial() {
        return new State(null, 0, 0);
    }

    @Override
    public State step(State state, Input input, Output output) {
        if (input instanceof Acquire acquire) {
            return acquire(state, acquire.owner(), output);
        }
        return release(state, ((Release) input).owner(), output);
    }

    private static State acquire(State state, String owner, Output output) {
        if (state.holder() == null) {
            if (output == null) {
                return new State(owner, UNKNOWN_TOKEN, state.granted());
            }
            return output instanceof Granted granted && granted.token() > state.granted()
                    ? new State(owner, granted.token(), granted.token()) : null;
        }
        if (state.holder().equals(owner)) {
            // A renewal keeps the token; learning it here fills in one that was unknown.
            if (output == null) {
                return state;
            }
            return output instanceof Granted granted ? learn(state, granted.token()) : null;
        }
        if (output == null) {
            return state;
        }
        return output instanceof Held held && held.holder().equals(state.holder()) ? learn(state, held.token()) : null;
    }

    private static State release(State state, String owner, Output output) {
        boolean holds = owner.equals(state.holder());
        if (output == null) {
            return holds ? new State(null, 0, state.granted()) : state;
        }
        if (!holds) {
            return output instanceof NotHolder ? state : null;
        }
        if (!(output instanceof Released released)) {
            return null;
        }
        State known = learn(state, released.token());
        return known == null ? null : new State(null, 0, known.granted());
    }

    /** The state once {@code token} is seen as the holder's; null if it contradicts what is known. */
    private static State learn(State state, long token) {
        if (state.token() == UNKNOWN_TOKEN) {
            return token > state.granted() ? new State(state.holder(), token, token) : null;
        }
        return token == state.token() ? state : null;
    }
}
