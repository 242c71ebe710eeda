package io.paxlog.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.check.RegisterModel.Input;
import io.paxlog.chaos.check.RegisterModel.Output;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run's own figures on hand-made histories: each counts what it names, and only that. */
class FindingsTest {

    private static Operation<Input, Output> write(int id, String value, long invoke, long complete) {
        return Operation.ok(id, 1, "k", new RegisterModel.Write(value), new RegisterModel.Written(), invoke, complete);
    }

    private static Operation<Input, Output> finalRead(int id, String value) {
        return Operation.ok(id, 0, "k", new RegisterModel.Read(), new RegisterModel.ReadValue(value), 1000, 1010);
    }

    @Test
    void aWriteAcknowledgedAfterTheFinalValuesWriterIsLost() {
        List<Operation<Input, Output>> history = List.of(write(0, "a", 0, 10), write(1, "b", 20, 30),
                Operation.ok(2, 2, "k", new RegisterModel.Cas("b", "c"), new RegisterModel.CasResult(true), 40, 50));
        assertThat(Findings.lostAcknowledgedWrites(history, Map.of("k", finalRead(3, "c")))).isZero();
        // "a" survived, so "b" and the swap to "c", both invoked after "a" was acknowledged, were lost.
        assertThat(Findings.lostAcknowledgedWrites(history, Map.of("k", finalRead(3, "a")))).isEqualTo(2);
        assertThat(Findings.lostAcknowledgedWrites(history, Map.of("k", finalRead(3, null)))).isEqualTo(3);
    }

    @Test
    void overlappingWritesAndAnUnknownWriterLoseNothing() {
        // "b" overlaps "a": either may be last.
        List<Operation<Input, Output>> overlapping = List.of(write(0, "a", 0, 30), write(1, "b", 20, 40));
        assertThat(Findings.lostAcknowledgedWrites(overlapping, Map.of("k", finalRead(2, "a")))).isZero();
        // The final value's writer got no answer: it may have landed after everything.
        List<Operation<Input, Output>> unknown = List.of(write(0, "a", 0, 10),
                Operation.unknown(1, 2, "k", new RegisterModel.Write("u"), 5, 15), write(2, "b", 20, 30));
        assertThat(Findings.lostAcknowledgedWrites(unknown, Map.of("k", finalRead(3, "u")))).isZero();
    }

    @Test
    void aValueAtTwoVersionsIsADuplicate() {
        List<Recorder.Version> once = List.of(new Recorder.Version("k", "a", 5), new Recorder.Version("k", "a", 5),
                new Recorder.Version("k", "b", 7), new Recorder.Version("j", "a", 9));
        assertThat(Findings.duplicates(once)).isZero();
        List<Recorder.Version> twice = List.of(new Recorder.Version("k", "a", 5), new Recorder.Version("k", "b", 7),
                new Recorder.Version("k", "a", 9));
        assertThat(Findings.duplicates(twice)).isEqualTo(1);
    }

    @Test
    void theWriteGapIsTheLongestPauseBetweenAcknowledgements() {
        List<Operation<Input, Output>> history = List.of(write(0, "a", 0, 10), write(1, "b", 20, 30),
                Operation.failed(2, 1, "k", new RegisterModel.Write("x"), 40, 500), write(3, "c", 900, 1000),
                Operation.ok(4, 2, "k", new RegisterModel.Cas("q", "d"), new RegisterModel.CasResult(false), 1000, 1100));
        assertThat(Findings.longestWriteGapNanos(history)).isEqualTo(970);
    }
}
