package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactlyOnceTest {

    /** Counts what reaches it and answers with the count. */
    private static final class Counter implements StateMachine {
        final List<Long> slots = new ArrayList<>();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            slots.add(slot);
            return new byte[] {(byte) slots.size()};
        }
    }

    @Test
    void aRepeatedCommandAppliesOnceAndReturnsTheSavedResult() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        Command command = new Command(1, 1, new byte[] {5});
        assertThat(layer.apply(1, command).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.APPLIED);
        ExactlyOnce.Outcome repeat = layer.apply(2, command);
        assertThat(repeat.kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(repeat.result()).containsExactly(1);
        assertThat(machine.slots).containsExactly(1L);
    }

    @Test
    void pipelinedCommandsChosenOutOfOrderAllApply() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 4);
        layer.apply(1, new Command(1, 3, new byte[0]));
        assertThat(layer.apply(2, new Command(1, 2, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.APPLIED);
        assertThat(machine.slots).containsExactly(1L, 2L);
    }

    @Test
    void aSequenceOlderThanTheWindowIsExpiredNotReapplied() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 2);
        for (long sequence = 1; sequence <= 5; sequence++) {
            layer.apply(sequence, new Command(1, sequence, new byte[0]));
        }
        assertThat(layer.apply(6, new Command(1, 2, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.EXPIRED);
        assertThat(layer.apply(7, new Command(1, 5, new byte[0])).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.DUPLICATE);
        assertThat(machine.slots).hasSize(5);
    }

    @Test
    void clientsAreIndependentAndNoopsNeverReachTheMachine() {
        Counter machine = new Counter();
        ExactlyOnce layer = new ExactlyOnce(machine, 2);
        layer.apply(1, new Command(1, 1, new byte[0]));
        layer.apply(2, new Command(2, 1, new byte[0]));
        assertThat(layer.apply(3, Command.NOOP).kind()).isEqualTo(ExactlyOnce.Outcome.Kind.NOOP);
        assertThat(machine.slots).containsExactly(1L, 2L);
        assertThat(layer.sessionCount()).isEqualTo(2);
    }

    @Test
    void aStateMachineAnsweringNullIsRefused() {
        ExactlyOnce layer = new ExactlyOnce((slot, payload) -> null, 2);
        assertThatThrownBy(() -> layer.apply(1, new Command(1, 1, new byte[0])))
                .isInstanceOf(IllegalStateException.class);
    }
}
