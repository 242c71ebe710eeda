package io.paxlog.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Refusal;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.core.Role;
import io.paxlog.core.storage.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The runtime loop end to end on one server: storage, state machine, answers, restart. */
class ReplicaLoopTest {

    /** Appends each command to a string and answers with the whole string. */
    private static final class Journal implements StateMachine {
        final StringBuilder text = new StringBuilder();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            text.append(new String(payload, StandardCharsets.UTF_8));
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] snapshot() {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void restore(byte[] snapshot) {
            text.setLength(0);
            text.append(new String(snapshot, StandardCharsets.UTF_8));
        }
    }

    private static final class Answers implements Responder {
        final List<String> applied = new ArrayList<>();
        final List<Refusal> refused = new ArrayList<>();

        @Override
        public void applied(long requestId, long slot, ExactlyOnce.Outcome outcome) {
            applied.add(requestId + "@" + slot + " " + outcome.kind() + " "
                    + new String(outcome.result(), StandardCharsets.UTF_8));
        }

        @Override
        public void refused(Refusal refusal) {
            refused.add(refusal);
        }
    }

    private static ReplicaLoop loop(MemoryStorage storage, Journal journal, Answers answers, List<Envelope> network) {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        return new ReplicaLoop(config, storage, null, network::add, journal, 8, answers,
                new SplittableRandom(1), 0, ReplicaFactory.DEFAULT, ReplicaLoop.Observer.NONE);
    }

    private static Command command(long sequence, String text) {
        return new Command(7, sequence, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSingleServerAppliesCommandsOnceAndKeepsThemAcrossARestart() {
        MemoryStorage storage = new MemoryStorage();
        Journal journal = new Journal();
        Answers answers = new Answers();
        List<Envelope> network = new ArrayList<>();
        ReplicaLoop loop = loop(storage, journal, answers, network);

        loop.submit(new ClientRequest(1, command(1, "a")));
        assertThat(answers.refused).extracting(Refusal::reason).containsExactly(Refusal.Reason.NOT_LEADER);

        loop.tick(200);
        assertThat(loop.replica().role()).isEqualTo(Role.LEADER);
        loop.submit(new ClientRequest(2, command(1, "a")));
        loop.submit(new ClientRequest(3, command(2, "b")));
        loop.submit(new ClientRequest(4, command(1, "a"))); // a retry: answered, not applied again
        assertThat(answers.applied).containsExactly("2@1 APPLIED a", "3@2 APPLIED ab", "4@3 DUPLICATE a");
        assertThat(network).as("nobody else to talk to").isEmpty();

        Journal afterRestart = new Journal();
        ReplicaLoop restarted = loop(storage, afterRestart, new Answers(), network);
        assertThat(afterRestart.text.toString()).as("replayed from storage").isEqualTo("ab");
        assertThat(restarted.replica().appliedSlot()).isEqualTo(3);
        assertThat(restarted.replica().role()).isEqualTo(Role.PASSIVE);
    }
}
