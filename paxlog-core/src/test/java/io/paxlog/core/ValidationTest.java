package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.SlotCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad configuration and malformed messages fail at construction with a message naming the mistake. */
class ValidationTest {

    @Test
    void electionTimeoutMustExceedTheHeartbeat() {
        assertThatThrownBy(() -> ReplicaConfig.defaults(1, List.of(1, 2, 3)).withTimeouts(100, 200, 100))
                .hasMessageContaining("must be above the heartbeat interval");
    }

    @Test
    void electionTimeoutRangeMustBeARange() {
        assertThatThrownBy(() -> ReplicaConfig.defaults(1, List.of(1, 2, 3)).withTimeouts(200, 200, 50))
                .hasMessageContaining("must be above its min");
    }

    @Test
    void serverIdsMustBeDistinctAndPositive() {
        assertThatThrownBy(() -> ReplicaConfig.defaults(1, List.of(1, 1, 2))).hasMessageContaining("distinct");
        assertThatThrownBy(() -> ReplicaConfig.defaults(0, List.of(0, 1, 2))).hasMessageContaining("positive");
        // A server outside the seed is one to be added as a learner: the seed only starts the log.
        assertThat(ReplicaConfig.defaults(4, List.of(1, 2, 3)).seedMembership().contains(4)).isFalse();
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> ReplicaConfig.defaults(1, List.of(1)).withLimits(0, 1, 1, 1, 1, 1))
                .hasMessageContaining("inflightSlotsMax");
    }

    @Test
    void malformedMessagesAreRefused() {
        Epoch epoch = new Epoch(1, 1);
        assertThatThrownBy(() -> new SlotCommand(0, Command.NOOP)).hasMessageContaining("slots start at 1");
        assertThatThrownBy(() -> new Read(epoch, 5, 4)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new Finalize(epoch, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new Rejected(epoch, epoch, MessageKind.STORE)).hasMessageContaining("above");
        assertThatThrownBy(() -> new Epoch(-1, 1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new Command(0, 1, new byte[0])).hasMessageContaining("reserved");
        assertThatThrownBy(() -> new Command(3, 0, new byte[0])).hasMessageContaining("start at 1");
    }

    @Test
    void ruleDCannotBeBypassed() {
        Outbox out = new Outbox(1);
        assertThatThrownBy(() -> out.send(2, new io.paxlog.api.message.OverthrowOk(new Epoch(1, 2), 0)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Rule D");
    }
}
