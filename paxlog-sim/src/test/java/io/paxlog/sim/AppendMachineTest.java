package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AppendMachineTest {

    @Test
    void aRestoredMachineAnswersAndHashesLikeTheOriginal() {
        AppendMachine original = new AppendMachine(true);
        original.apply(1, AppendMachine.append(1, 10, 7, 1));
        original.apply(2, AppendMachine.append(2, 20, 7, 2));
        original.apply(3, AppendMachine.append(1, 30, 8, 1));
        AppendMachine restored = new AppendMachine(true);
        restored.restore(original.snapshot());
        assertThat(restored.stateHash()).isEqualTo(original.stateHash());
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        byte[] next = AppendMachine.read(1, 9, 1);
        assertThat(restored.apply(4, next)).isEqualTo(original.apply(4, next));
        assertThat(restored.stateHash()).isEqualTo(original.stateHash());
    }

    @Test
    void theRestoredMachineStillCatchesACommandAppliedTwice() {
        AppendMachine original = new AppendMachine(true);
        original.apply(1, AppendMachine.append(1, 10, 7, 1));
        AppendMachine restored = new AppendMachine(true);
        restored.restore(original.snapshot());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> restored.apply(2, AppendMachine.append(1, 10, 7, 1)))
                .isInstanceOf(Violation.class).hasMessageContaining("applied twice");
    }
}
