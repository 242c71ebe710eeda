package io.paxlog.chaos.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The linearizability check: Wing and Gong's search with Lowe's cache, one key at a time (a key's
 * operations touch only that key's state, so a history is linearizable iff each key's is).
 *
 * <p>The search walks a time-ordered list of call and return events. At a call it tries to linearize
 * that operation now: apply it to the model; if the model allows its answer and the pair (set of
 * operations linearized, new state) was never reached before, it takes the operation out of the list
 * and starts over from the front. Reaching a return whose operation is not linearized means every
 * operation that must precede it has been tried in this position: it undoes the last choice and tries
 * the next call after it. The cache is what keeps this from being exponential in practice: two orders
 * that linearized the same operations into the same state have the same future, so only one is explored.
 *
 * <p>Failed operations are left out (they must not have taken effect); unknown ones return at infinity
 * (see {@link Outcome#UNKNOWN}). Calls sort before returns at equal times, so touching operations count
 * as concurrent: the check never blames an order the clock could not resolve.
 */
public final class Linearizability<S, I, O> {

    private final Model<S, I, O> model;
    private final Budget budget;

    public Linearizability(Model<S, I, O> model, Budget budget) {
        this.model = model;
        this.budget = budget;
    }

    /** Checks every key of {@code history}; one result per key, in order of first appearance. */
    public List<CheckResult> check(List<Operation<I, O>> history) {
        Map<String, List<Operation<I, O>>> byKey = new LinkedHashMap<>();
        for (Operation<I, O> operation : history) {
            byKey.computeIfAbsent(operation.key(), k -> new ArrayList<>()).add(operation);
        }
        List<CheckResult> results = new ArrayList<>();
        for (Map.Entry<String, List<Operation<I, O>>> key : byKey.entrySet()) {
            results.add(checkKey(key.getKey(), key.getValue()));
        }
        return results;
    }

    /** Checks one key's operations; on a violation, also finds the shortest failing prefix. */
    public CheckResult checkKey(String key, List<Operation<I, O>> operations) {
        List<Operation<I, O>> ordered = new ArrayList<>(operations);
        ordered.sort(Comparator.comparingLong((Operation<I, O> o) -> o.invokeNanos()).thenComparingInt(Operation::id));
        long deadline = System.nanoTime() + budget.time().toNanos();
        Search whole = search(ordered, deadline);
        if (whole.outcome == Verdict.LINEARIZABLE) {
            return new CheckResult.Linearizable(key, operations.size(), whole.steps);
        }
        if (whole.outcome == Verdict.OUT_OF_BUDGET) {
            return new CheckResult.Inconclusive(key, operations.size(), whole.steps, whole.why);
        }
        // The shortest failing prefix: the history as it stood at the earliest completion after which it
        // is already not linearizable. Cut at time T, it holds the operations invoked by T; those still
        // pending at T become unknown (their answers had not arrived). A cut of a linearizable history is
        // linearizable (drop or keep each pending one as the whole linearization placed it), so failing is
        // monotone in T and a bisection over the completions finds the first failing cut.
        List<Long> completions = ordered.stream().filter(o -> o.outcome() == Outcome.OK)
                .map(Operation::completeNanos).distinct().sorted().toList();
        long scanDeadline = System.nanoTime() + budget.time().toNanos();
        int low = 0;
        int high = completions.size() - 1; // the cut at the last completion is the whole history: it fails
        while (low < high) {
            int middle = (low + high) >>> 1;
            Search cut = search(cut(ordered, completions.get(middle)), scanDeadline);
            if (cut.outcome == Verdict.VIOLATION) {
                high = middle;
            } else if (cut.outcome == Verdict.LINEARIZABLE) {
                low = middle + 1;
            } else {
                low = high; // out of time: report the cut found so far, which fails
            }
        }
        long at = completions.isEmpty() ? Long.MAX_VALUE : completions.get(high);
        List<Operation<?, ?>> window = List.copyOf(ordered.stream().filter(o -> o.invokeNanos() <= at).toList());
        Operation<?, ?> culprit = ordered.stream().filter(o -> o.outcome() == Outcome.OK && o.completeNanos() == at)
                .findFirst().orElse(ordered.get(ordered.size() - 1));
        return new CheckResult.Violation(key, List.copyOf(ordered), window, culprit, whole.steps);
    }

    /** The history as known at time {@code at}: invoked by then, answers arrived after it unknown. */
    private List<Operation<I, O>> cut(List<Operation<I, O>> ordered, long at) {
        List<Operation<I, O>> cut = new ArrayList<>();
        for (Operation<I, O> o : ordered) {
            if (o.invokeNanos() > at) {
                continue;
            }
            cut.add(o.outcome() == Outcome.OK && o.completeNanos() > at
                    ? Operation.unknown(o.id(), o.client(), o.key(), o.input(), o.invokeNanos(), o.completeNanos()) : o);
        }
        return cut;
    }

    private enum Verdict { LINEARIZABLE, VIOLATION, OUT_OF_BUDGET }

    private record Search(Verdict outcome, long steps, String why) {}

    /** A (linearized set, state) pair of Lowe's cache; the bit set is copied in. */
    private static final class Seen {
        private final long[] bits;
        private final Object state;
        private final int hash;

        Seen(long[] bits, Object state) {
            this.bits = bits.clone();
            this.state = state;
            this.hash = Arrays.hashCode(bits) * 31 + state.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seen s && s.hash == hash && Arrays.equals(s.bits, bits) && s.state.equals(state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private Search search(List<Operation<I, O>> all, long deadline) {
        List<Operation<I, O>> ops = all.stream().filter(o -> o.outcome() != Outcome.FAILED).toList();
        int n = ops.size();
        // Events 2i (call of op i) and 2i+1 (its return), linked in time order behind a head at index 2n.
        int head = 2 * n;
        int[] next = new int[2 * n + 1];
        int[] prev = new int[2 * n + 1];
        Integer[] events = new Integer[2 * n];
        for (int e = 0; e < 2 * n; e++) {
            events[e] = e;
        }
        Arrays.sort(events, Comparator.comparingLong((Integer e) -> time(ops, e)).thenComparingInt(e -> e % 2));
        int last = head;
        for (Integer e : events) {
            next[last] = e;
            prev[e] = last;
            last = e;
        }
        next[last] = -1;

        long[] linearized = new long[(n + 63) / 64];
        Set<Seen> cache = new HashSet<>();
        int[] stackOp = new int[n];
        @SuppressWarnings("unchecked")
        S[] stackState = (S[]) new Object[n];
        int depth = 0;
        S state = model.initial();
        long steps = 0;
        int entry = next[head];
        while (next[head] != -1) {
            steps++;
            if (steps > budget.steps()) {
                return new Search(Verdict.OUT_OF_BUDGET, steps, "over " + budget.steps() + " steps");
            }
            if ((steps & 1023) == 0 && System.nanoTime() > deadline) {
                return new Search(Verdict.OUT_OF_BUDGET, steps, "over " + budget.time().toMillis() + " ms");
            }
            if (entry % 2 == 0) {
                int op = entry / 2;
                Operation<I, O> operation = ops.get(op);
                S after = model.step(state, operation.input(), operation.output());
                if (after == null && operation.output() == null) {
                    throw new IllegalStateException("the model refused an operation of unknown outcome: " + operation);
                }
                if (after != null) {
                    linearized[op >>> 6] |= 1L << op;
                    if (cache.add(new Seen(linearized, after))) {
                        stackOp[depth] = op;
                        stackState[depth] = state;
                        depth++;
                        state = after;
                        lift(next, prev, entry);
                        entry = next[head];
                        continue;
                    }
                    linearized[op >>> 6] &= ~(1L << op);
                }
                entry = next[entry];
            } else {
                if (depth == 0) {
                    return new Search(Verdict.VIOLATION, steps, null);
                }
                depth--;
                int op = stackOp[depth];
                state = stackState[depth];
                stackState[depth] = null;
                linearized[op >>> 6] &= ~(1L << op);
                unlift(next, prev, 2 * op);
                entry = next[2 * op];
            }
        }
        return new Search(Verdict.LINEARIZABLE, steps, null);
    }

    private static long time(List<? extends Operation<?, ?>> ops, int event) {
        Operation<?, ?> operation = ops.get(event / 2);
        return event % 2 == 0 ? operation.invokeNanos() : operation.checkedCompletion();
    }

    /** Takes a call and its return out of the list; their own links stay, for {@link #unlift}. */
    private static void lift(int[] next, int[] prev, int call) {
        int ret = call + 1;
        next[prev[call]] = next[call];
        if (next[call] != -1) {
            prev[next[call]] = prev[call];
        }
        next[prev[ret]] = next[ret];
        if (next[ret] != -1) {
            prev[next[ret]] = prev[ret];
        }
    }

    /** Puts them back, in the reverse order of their removal, so every neighbour link is restored. */
    private static void unlift(int[] next, int[] prev, int call) {
        int ret = call + 1;
        next[prev[ret]] = ret;
        if (next[ret] != -1) {
            prev[next[ret]] = ret;
        }
        next[prev[call]] = call;
        if (next[call] != -1) {
            prev[next[call]] = call;
        }
    }
}
