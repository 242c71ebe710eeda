package io.paxlog.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.RegisterModel.Cas;
import io.paxlog.chaos.check.RegisterModel.CasResult;
import io.paxlog.chaos.check.RegisterModel.Input;
import io.paxlog.chaos.check.RegisterModel.Output;
import io.paxlog.chaos.check.RegisterModel.Read;
import io.paxlog.chaos.check.RegisterModel.ReadValue;
import io.paxlog.chaos.check.RegisterModel.Write;
import io.paxlog.chaos.check.RegisterModel.Written;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories made by running a real register: each operation takes effect at a random instant inside its
 * interval, in that order, so every such history is linearizable and must pass; some answers are lost
 * (unknown, applied or not) and some operations fail (not applied). Changing one read to a value nobody
 * wrote must then make it fail, with that read as the end of the shortest failing window.
 */
class RandomHistoriesTest {

    private static final Budget BUDGET = Budget.of(5_000_000, Duration.ofSeconds(20));

    private record Planned(int client, long invoke, long effect, long complete, Input input) {}

    private static List<Operation<Input, Output>> history(long seed) {
        Random random = new Random(seed);
        int clients = 2 + random.nextInt(4);
        List<Planned> planned = new ArrayList<>();
        int written = 0;
        for (int client = 0; client < clients; client++) {
            long t = random.nextInt(20);
            for (int i = 0; i < 6 + random.nextInt(10); i++) {
                long effect = t + 1 + random.nextInt(40);
                long complete = effect + random.nextInt(40);
                Input input = switch (random.nextInt(3)) {
                    case 0 -> new Read();
                    case 1 -> new Write("c" + client + "-" + written++);
                    default -> new Cas(random.nextInt(4) == 0 ? null : "c" + random.nextInt(clients) + "-"
                            + random.nextInt(Math.max(1, written)), "c" + client + "-" + written++);
                };
                planned.add(new Planned(client, t, effect, complete, input));
                t = complete + random.nextInt(10);
            }
        }
        List<Planned> byEffect = new ArrayList<>(planned);
        byEffect.sort(Comparator.comparingLong(Planned::effect));
        List<Operation<Input, Output>> ops = new ArrayList<>();
        String value = null;
        for (Planned p : byEffect) {
            int roll = random.nextInt(10);
            boolean failed = roll == 0 && !(p.input() instanceof Read);
            boolean unknown = roll == 1;
            boolean applied = !failed && !(unknown && random.nextBoolean());
            Output output;
            if (p.input() instanceof Read) {
                output = new ReadValue(value);
            } else if (p.input() instanceof Write write) {
                output = new Written();
                value = applied ? write.value() : value;
            } else {
                Cas cas = (Cas) p.input();
                boolean swapped = Objects.equals(cas.expected(), value);
                output = new CasResult(swapped);
                value = applied && swapped ? cas.value() : value;
            }
            int id = ops.size();
            ops.add(failed ? Operation.failed(id, p.client(), "k", p.input(), p.invoke(), p.complete())
                    : unknown ? Operation.unknown(id, p.client(), "k", p.input(), p.invoke(), p.complete())
                    : Operation.ok(id, p.client(), "k", p.input(), output, p.invoke(), p.complete()));
        }
        return ops;
    }

    @Test
    void historiesOfARealRegisterPassAndOneGhostReadMakesThemFail() {
        Linearizability<RegisterModel.State, Input, Output> checker = new Linearizability<>(RegisterModel.INSTANCE, BUDGET);
        int mutated = 0;
        for (long seed = 1; seed <= 300; seed++) {
            List<Operation<Input, Output>> ops = history(seed);
            CheckResult result = checker.check(ops).get(0);
            assertThat(result.passed()).as("seed " + seed + ": " + result).isTrue();

            for (int i = 0; i < ops.size(); i++) {
                Operation<Input, Output> op = ops.get(i);
                if (op.input() instanceof Read && op.outcome() == Outcome.OK) {
                    List<Operation<Input, Output>> ghost = new ArrayList<>(ops);
                    ghost.set(i, Operation.ok(op.id(), op.client(), op.key(), op.input(), new ReadValue("ghost"),
                            op.invokeNanos(), op.completeNanos()));
                    CheckResult failed = checker.check(ghost).get(0);
                    assertThat(failed).as("seed " + seed + ", read #" + op.id() + " of a ghost")
                            .isInstanceOf(CheckResult.Violation.class);
                    // Every earlier cut is a cut of the real register's history: the window ends at the ghost.
                    assertThat(((CheckResult.Violation) failed).culprit().completeNanos()).as("seed " + seed)
                            .isEqualTo(op.completeNanos());
                    mutated++;
                    break;
                }
            }
        }
        assertThat(mutated).as("histories with a read to corrupt").isGreaterThan(200);
    }
}
