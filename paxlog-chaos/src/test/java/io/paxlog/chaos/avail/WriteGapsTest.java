package io.paxlog.chaos.avail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.chaos.check.Operation;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.check.RegisterModel.Input;
import io.paxlog.chaos.check.RegisterModel.Output;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The write-gap figures on hand-made histories: each counts what it names, within the window only. */
class WriteGapsTest {

    private static Operation<Input, Output> ok(int id, int client, long invoke, long complete) {
        return Operation.ok(id, client, "k", new RegisterModel.Write("v" + id), new RegisterModel.Written(), invoke,
                complete);
    }

    @Test
    void theLongestGapCountsFromTheWindowsStartAndToItsEnd() {
        List<Operation<Input, Output>> history = List.of(ok(0, 1, 0, 50), ok(1, 1, 100, 400), ok(2, 1, 450, 500),
                ok(3, 1, 900, 950));
        // In [100, 1000]: 100 -> 400 -> 500 -> 950 -> 1000: the longest stretch is 500 -> 950.
        WriteGaps gaps = WriteGaps.of(history, 1, 100, 1000);
        assertThat(gaps.longestGapNanos()).isEqualTo(450);
        assertThat(gaps.firstNanos()).isEqualTo(300);
        assertThat(gaps.ok()).isEqualTo(3);
        // Nothing acknowledged after 950: a window [960, 2000] is one gap, and has no first write.
        WriteGaps none = WriteGaps.of(history, 1, 960, 2000);
        assertThat(none.longestGapNanos()).isEqualTo(1040);
        assertThat(none.firstNanos()).isEqualTo(-1);
        assertThat(none.firstMillis()).isEqualTo(-1);
    }

    @Test
    void otherClientsReadsAndUnacknowledgedWritesCloseNoGap() {
        List<Operation<Input, Output>> history = List.of(ok(0, 1, 0, 10),
                ok(1, 2, 20, 500), // another writer's
                Operation.ok(2, 1, "k", new RegisterModel.Read(), new RegisterModel.ReadValue("v0"), 20, 510),
                Operation.failed(3, 1, "k", new RegisterModel.Write("x"), 30, 520),
                Operation.unknown(4, 1, "k", new RegisterModel.Write("y"), 40, 530), ok(5, 1, 600, 1000));
        WriteGaps gaps = WriteGaps.of(history, 1, 0, 1000);
        assertThat(gaps.longestGapNanos()).isEqualTo(990);
        assertThat(gaps.ok()).isEqualTo(2);
        assertThat(gaps.failed()).isEqualTo(1);
        assertThat(gaps.unknown()).isEqualTo(1);
    }

    @Test
    void aWindowMustNotEndBeforeItStarts() {
        assertThatThrownBy(() -> WriteGaps.of(List.of(), 1, 10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
