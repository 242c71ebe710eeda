package io.paxlog.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.LockModel.Acquire;
import io.paxlog.chaos.check.LockModel.Granted;
import io.paxlog.chaos.check.LockModel.Held;
import io.paxlog.chaos.check.LockModel.NotHolder;
import io.paxlog.chaos.check.LockModel.Release;
import io.paxlog.chaos.check.LockModel.Released;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker on hand-made histories: each kind of anomaly fails, correct histories pass. */
class LinearizabilityTest {

    private static final Budget BUDGET = Budget.of(1_000_000, Duration.ofSeconds(10));

    private static CheckResult register(RegisterHistories history) {
        List<CheckResult> results = new Linearizability<>(RegisterModel.INSTANCE, BUDGET).check(history.ops());
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Test
    void sequentialWritesAndReadsPass() {
        assertThat(register(new RegisterHistories("x").read(1, null, 0, 5).write(1, "a", 10, 20)
                .read(2, "a", 30, 40).write(2, "b", 50, 60).read(1, "b", 70, 80)).passed()).isTrue();
    }

    @Test
    void aStaleReadFails() {
        CheckResult result = register(new RegisterHistories("x").write(1, "a", 0, 10).write(2, "b", 20, 30)
                .read(3, "a", 40, 50));
        assertThat(result).isInstanceOf(CheckResult.Violation.class);
        assertThat(((CheckResult.Violation) result).culprit().id()).isEqualTo(2);
    }

    @Test
    void aLostWriteFails() {
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).read(2, null, 20, 30)).passed()).isFalse();
    }

    @Test
    void aDuplicateApplyFails() {
        // "a" comes back after "b" replaced it: the write of "a" was applied twice.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).write(2, "b", 20, 30)
                .read(3, "b", 40, 50).read(3, "a", 60, 70)).passed()).isFalse();
    }

    @Test
    void aReadOfAValueNeverWrittenFails() {
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).read(2, "z", 20, 30)).passed()).isFalse();
    }

    @Test
    void aFailedWriteMustNotTakeEffect() {
        assertThat(register(new RegisterHistories("x").writeFailed(1, "a", 0, 10).read(2, "a", 20, 30)).passed())
                .isFalse();
        assertThat(register(new RegisterHistories("x").writeFailed(1, "a", 0, 10).read(2, null, 20, 30)).passed())
                .isTrue();
    }

    @Test
    void concurrentOperationsMayTakeEffectInEitherOrder() {
        // The write overlaps both reads: it took effect between them.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 100).read(2, null, 10, 20)
                .read(2, "a", 30, 40)).passed()).isTrue();
        // But not back again: once a read saw it, a later read cannot miss it.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 100).read(2, "a", 10, 20)
                .read(2, null, 30, 40)).passed()).isFalse();
    }

    @Test
    void operationsThatOnlyTouchInTimeCountAsConcurrent() {
        // The read is invoked the instant the write completes: the clock cannot order them, so either may be first.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).read(2, null, 10, 20)).passed()).isTrue();
    }

    @Test
    void anUnknownWriteMayTakeEffectLateOrNever() {
        // Invoked at 20, its answer lost: a read at 30 does not see it yet, one at 50 does.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).writeUnknown(2, "b", 20, 25)
                .read(3, "a", 30, 40).read(3, "b", 50, 60)).passed()).isTrue();
        // ... or never: every read may miss it.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).writeUnknown(2, "b", 20, 25)
                .read(3, "a", 30, 40).read(3, "a", 500, 600)).passed()).isTrue();
        // Long after its client gave up it may still land: completion counts as infinity.
        assertThat(register(new RegisterHistories("x").writeUnknown(2, "b", 20, 25).read(3, null, 30, 40)
                .read(3, "b", 5000, 6000)).passed()).isTrue();
    }

    @Test
    void anUnknownWriteCannotTakeEffectBeforeItsInvocation() {
        assertThat(register(new RegisterHistories("x").read(3, "b", 0, 10).writeUnknown(2, "b", 20, 25)).passed())
                .isFalse();
        // Nor twice: seen, replaced, then seen again.
        assertThat(register(new RegisterHistories("x").writeUnknown(2, "b", 0, 5).read(3, "b", 10, 20)
                .write(1, "c", 30, 40).read(3, "b", 50, 60)).passed()).isFalse();
    }

    @Test
    void compareAndSetSwapsOnlyOnAMatch() {
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).cas(2, "a", "b", true, 20, 30)
                .cas(3, "a", "c", false, 40, 50).read(1, "b", 60, 70)).passed()).isTrue();
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).cas(2, "q", "b", true, 20, 30)).passed())
                .isFalse();
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).cas(2, "a", "b", false, 20, 30)).passed())
                .isFalse();
        // Two concurrent swaps from the same value: only one may win.
        assertThat(register(new RegisterHistories("x").write(1, "a", 0, 10).cas(2, "a", "b", true, 20, 30)
                .cas(3, "a", "c", true, 20, 30)).passed()).isFalse();
    }

    @Test
    void keysAreCheckedIndependently() {
        List<Operation<RegisterModel.Input, RegisterModel.Output>> ops = new ArrayList<>();
        ops.addAll(new RegisterHistories("x").write(1, "a", 0, 10).read(2, "a", 20, 30).ops());
        for (Operation<RegisterModel.Input, RegisterModel.Output> op : new RegisterHistories("y")
                .write(1, "b", 0, 10).read(2, null, 20, 30).ops()) {
            ops.add(new Operation<>(op.id() + 100, op.client(), op.key(), op.input(), op.output(), op.outcome(),
                    op.invokeNanos(), op.completeNanos()));
        }
        List<CheckResult> results = new Linearizability<>(RegisterModel.INSTANCE, BUDGET).check(ops);
        assertThat(results).extracting(CheckResult::key).containsExactly("x", "y");
        assertThat(results).extracting(CheckResult::passed).containsExactly(true, false);
    }

    @Test
    void aSearchOverItsBudgetIsAFailureNotAPass() {
        RegisterHistories history = new RegisterHistories("x");
        for (int i = 0; i < 12; i++) {
            history.write(i, "v" + i, 0, 1000); // all concurrent: many orders to try
        }
        history.read(0, "v3", 2000, 3000);
        CheckResult result = new Linearizability<>(RegisterModel.INSTANCE, Budget.of(5, Duration.ofSeconds(10)))
                .check(history.ops()).get(0);
        assertThat(result).isInstanceOf(CheckResult.Inconclusive.class);
        assertThat(result.passed()).isFalse();
        // With room enough the same history passes: the failure above was the budget's.
        assertThat(register(history).passed()).isTrue();
    }

    @Test
    void theWindowIsTheShortestFailingPrefix() {
        RegisterHistories history = new RegisterHistories("x").write(1, "a", 0, 10).write(2, "b", 20, 30)
                .read(3, "a", 40, 50); // the stale read: op 2
        for (int i = 0; i < 10; i++) {
            history.write(1, "later" + i, 100 + 20 * i, 110 + 20 * i);
        }
        CheckResult.Violation violation = (CheckResult.Violation) register(history);
        assertThat(violation.history()).hasSize(13);
        assertThat(violation.window()).extracting(Operation::id).containsExactly(0, 1, 2);
        assertThat(violation.culprit().id()).isEqualTo(2);
    }

    @Test
    void aReadThatSeesAWriteInvokedAfterItIsNotTheCulprit() {
        // The first read is invoked before the write it sees, but they overlap: fine. The stale read at the
        // end is what fails, and the window is the history as it stood when that read completed.
        RegisterHistories history = new RegisterHistories("x").read(2, "a", 5, 20).write(1, "a", 10, 30)
                .write(1, "b", 40, 50).read(2, "a", 60, 70).write(1, "c", 80, 90);
        CheckResult.Violation violation = (CheckResult.Violation) register(history);
        assertThat(violation.culprit().id()).isEqualTo(3);
        assertThat(violation.window()).extracting(Operation::id).containsExactly(0, 1, 2, 3);
    }

    @Test
    void theTimelineShowsTheViolation(@TempDir Path dir) throws Exception {
        CheckResult result = register(new RegisterHistories("x").write(1, "a", 0, 10).write(2, "b", 20, 30)
                .read(3, "a", 40, 50).writeUnknown(1, "c", 60, 70));
        Path page = dir.resolve("timeline.html");
        Timeline.write(page, "stale read", List.of(result), RegisterModel.INSTANCE);
        String html = Files.readString(page);
        assertThat(html).contains("key x: not linearizable").contains("client 1").contains("client 3")
                .contains("class=\"ok culprit\"").contains("class=\"unknown\"").contains("read -&gt; a");
    }

    private static CheckResult lock(List<Operation<LockModel.Input, LockModel.Output>> ops) {
        return new Linearizability<>(LockModel.INSTANCE, BUDGET).check(ops).get(0);
    }

    @Test
    void aLockGrantsOneHolderAtATimeWithGrowingTokens() {
        assertThat(lock(List.of(
                Operation.ok(0, 1, "l", new Acquire("A"), new Granted(5), 0, 10),
                Operation.ok(1, 2, "l", new Acquire("B"), new Held("A", 5), 20, 30),
                Operation.ok(2, 1, "l", new Acquire("A"), new Granted(5), 40, 50),
                Operation.ok(3, 2, "l", new Release("B"), new NotHolder(), 60, 70),
                Operation.ok(4, 1, "l", new Release("A"), new Released(5), 80, 90),
                Operation.ok(5, 2, "l", new Acquire("B"), new Granted(9), 100, 110))).passed()).isTrue();
    }

    @Test
    void twoHoldersAtOnceFail() {
        assertThat(lock(List.of(
                Operation.ok(0, 1, "l", new Acquire("A"), new Granted(5), 0, 10),
                Operation.ok(1, 2, "l", new Acquire("B"), new Granted(6), 20, 30))).passed()).isFalse();
    }

    @Test
    void aFencingTokenThatDoesNotGrowFails() {
        assertThat(lock(List.of(
                Operation.ok(0, 1, "l", new Acquire("A"), new Granted(5), 0, 10),
                Operation.ok(1, 1, "l", new Release("A"), new Released(5), 20, 30),
                Operation.ok(2, 2, "l", new Acquire("B"), new Granted(5), 40, 50))).passed()).isFalse();
    }

    @Test
    void anAcquireWhoseAnswerWasLostMayHoldTheLock() {
        // A's grant was lost; B is then told A holds it, with a token A never saw.
        assertThat(lock(List.of(
                Operation.unknown(0, 1, "l", new Acquire("A"), 0, 10),
                Operation.ok(1, 2, "l", new Acquire("B"), new Held("A", 7), 20, 30),
                Operation.ok(2, 1, "l", new Release("A"), new Released(7), 40, 50))).passed()).isTrue();
        // But the holder it was refused for must be the one holding: nobody acquired as C.
        assertThat(lock(List.of(
                Operation.unknown(0, 1, "l", new Acquire("A"), 0, 10),
                Operation.ok(1, 2, "l", new Acquire("B"), new Held("C", 7), 20, 30))).passed()).isFalse();
    }
}
