package io.paxlog.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Epoch;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.core.Effects;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.CommandAnswer.Status;
import io.paxlog.core.storage.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The node on one server: what a client is answered, and what the node proposes for the service. */
class NodeTest {

    /** Remembers who proposed what, and answers reads with the number of commands applied. */
    private static final class Recorder implements StateMachine {
        final List<String> applied = new ArrayList<>();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            applied.add(slot + ":" + new String(payload, StandardCharsets.UTF_8));
            return ("ok" + slot).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] snapshot() {
            return String.join(",", applied).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void restore(byte[] snapshot) {
            applied.clear();
        }

        @Override
        public byte[] query(byte[] request) {
            return String.valueOf(applied.size()).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Proposes "expire" on every tick while leading, and decorates reads with the epoch it leads at. */
    private static final class EveryTick implements LeaderDuties {
        final List<Epoch> ticks = new ArrayList<>();

        @Override
        public List<byte[]> tick(Epoch leading, long nowMs) {
            ticks.add(leading);
            return leading == null ? List.of() : List.of("expire".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public byte[] decorateRead(Epoch leading, byte[] query, byte[] result, long nowMs) {
            return (new String(result, StandardCharsets.UTF_8) + " by " + leading + " at " + nowMs)
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Recorder machine = new Recorder();
    private final EveryTick duties = new EveryTick();
    private final List<CommandAnswer> answers = new ArrayList<>();
    private final List<Envelope> network = new ArrayList<>();

    private Node node(LeaderDuties leaderDuties) {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        return Node.builder(new Node.Config(config, 8, 64, ReplicaLoop.SnapshotPolicy.ON_DEMAND))
                .storage(new MemoryStorage(), null, null).transport(network::add)
                .stateMachine(machine, leaderDuties).random(new SplittableRandom(1)).start(0);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCommandIsAnsweredWithItsSlotAndResultOnceApplied() {
        Node node = node(LeaderDuties.NONE);
        node.command(7, 1, bytes("a"), answers::add, 0);
        assertThat(answers).singleElement().satisfies(a -> {
            assertThat(a.status()).isEqualTo(Status.NO_QUORUM);
            assertThat(a.message()).contains("knows no leader");
        });

        node.tick(200);
        node.command(7, 1, bytes("a"), answers::add, 200);
        node.command(7, 1, bytes("a"), answers::add, 200); // a retry: the first copy's slot
        assertThat(answers.subList(1, 3)).extracting(CommandAnswer::status, CommandAnswer::slot)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Status.APPLIED, 1L),
                        org.assertj.core.groups.Tuple.tuple(Status.APPLIED, 1L));
        assertThat(node.status().waiting()).isZero();
    }

    @Test
    void commandsHandedOverTogetherShareOneWriteAndEachIsAnsweredAsAlone() {
        List<Integer> entriesPerWrite = new ArrayList<>();
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        Node node = Node.builder(new Node.Config(config, 8, 64, ReplicaLoop.SnapshotPolicy.ON_DEMAND))
                .storage(new MemoryStorage(), null, null).transport(network::add)
                .stateMachine(machine, LeaderDuties.NONE).random(new SplittableRandom(1))
                .observer(new ReplicaLoop.Observer() {
                    @Override
                    public void stepped(Replica replica, Effects effects) {
                        effects.persist().stream().filter(b -> !b.entries().isEmpty())
                                .forEach(b -> entriesPerWrite.add(b.entries().size()));
                    }
                }).start(0);
        node.tick(200);
        entriesPerWrite.clear(); // the new leader's own writes
        List<CommandAnswer> first = new ArrayList<>();
        List<CommandAnswer> bad = new ArrayList<>();
        List<CommandAnswer> second = new ArrayList<>();
        node.commands(List.of(new Node.CommandCall(7, 1, bytes("a"), first::add),
                new Node.CommandCall(7, 2, new byte[65], bad::add),
                new Node.CommandCall(8, 1, bytes("b"), second::add)), 200);

        assertThat(bad).singleElement().extracting(CommandAnswer::status).isEqualTo(Status.REJECTED);
        assertThat(first).singleElement().extracting(CommandAnswer::status, CommandAnswer::slot)
                .containsExactly(Status.APPLIED, 1L);
        assertThat(second).singleElement().extracting(CommandAnswer::status, CommandAnswer::slot)
                .containsExactly(Status.APPLIED, 2L);
        assertThat(entriesPerWrite).as("both commands in one write").containsExactly(2);
        assertThat(machine.applied).containsExactly("1:a", "2:b");
    }

    @Test
    void malformedOrOversizedCallsAndReservedClientIdsAreRefusedAndNeverReachTheLog() {
        Node node = node(LeaderDuties.NONE);
        node.tick(200);
        node.command(0, 1, bytes("a"), answers::add, 200);
        node.command(7, 0, bytes("a"), answers::add, 200);
        node.command(Node.INTERNAL_CLIENT_ID_MIN, 1, bytes("a"), answers::add, 200);
        node.command(7, 1, new byte[65], answers::add, 200);
        node.read(new byte[65], answers::add, 200);

        assertThat(answers).extracting(CommandAnswer::status).containsOnly(Status.REJECTED).hasSize(5);
        assertThat(answers.get(2).message()).contains("reserved");
        assertThat(answers.get(3).message()).contains("65 bytes").contains("limit of 64");
        assertThat(machine.applied).isEmpty();
    }

    @Test
    void leaderDutiesProposeAsTheTermsInternalClientAndNobodyIsAnswered() {
        Node node = node(duties);
        node.tick(100);
        assertThat(duties.ticks).as("a follower's tick").containsExactly((Epoch) null);
        node.tick(200);
        Epoch term = node.replica().ownEpoch();
        assertThat(node.replica().role()).isEqualTo(Role.LEADER);
        node.tick(210);

        assertThat(machine.applied).containsExactly("1:expire", "2:expire");
        assertThat(node.status().waiting()).as("duty commands are answered to nobody").isZero();
        assertThat(Node.dutyClientId(term)).isGreaterThanOrEqualTo(Node.INTERNAL_CLIENT_ID_MIN);
    }

    @Test
    void internalClientIdsAreDistinctPerEpochAndStayPositive() {
        assertThat(Node.dutyClientId(new Epoch(0, 1))).isEqualTo(Node.INTERNAL_CLIENT_ID_MIN + 1);
        assertThat(Node.dutyClientId(new Epoch(1, 1))).isNotEqualTo(Node.dutyClientId(new Epoch(0, 1)))
                .isNotEqualTo(Node.dutyClientId(new Epoch(1, 2)));
        assertThat(Node.dutyClientId(new Epoch((1L << 45) - 1, 65535))).isPositive()
                .isLessThan(io.paxlog.core.ClientIds.SESSION_LAYER_MIN);
    }

    @Test
    void aReadIsAnsweredFromTheMachineAndDecoratedByTheLeaderDuties() {
        Node node = node(duties);
        node.tick(200);
        node.read(bytes("count"), answers::add, 205);
        assertThat(answers).singleElement().satisfies(a -> {
            assertThat(a.status()).isEqualTo(Status.APPLIED);
            assertThat(new String(a.result(), StandardCharsets.UTF_8))
                    .isEqualTo(machine.applied.size() + " by " + node.replica().ownEpoch() + " at 205");
        });
    }

    @Test
    void aReadAnsweredBeforeAnythingWasAppliedCarriesAppliedSlotZero() {
        // The simulator found this: a leader may serve a read at applied slot 0, and an answer type that
        // insisted on slot > 0 failed the server's loop.
        CommandAnswer atZero = CommandAnswer.applied(0, bytes("0"));
        assertThat(atZero.slot()).isZero();
        assertThatThrownBy(() -> CommandAnswer.applied(-1, bytes("0"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CommandAnswer(Status.BUSY, 3, new byte[0], 0, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stoppingAnswersEveryWaitingCallOutcomeUnknownAndEveryLaterOneToo() {
        // Durability reaches the node only when the test says so, so a command can be left waiting.
        List<Long> durable = new ArrayList<>();
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        Node node = Node.builder(new Node.Config(config, 8, 64, ReplicaLoop.SnapshotPolicy.ON_DEMAND))
                .storage(new MemoryStorage(), durable::add, null).transport(network::add)
                .stateMachine(machine, LeaderDuties.NONE).random(new SplittableRandom(1)).start(0);
        node.tick(200);
        node.persisted(durable.get(durable.size() - 1), 200); // its own promise: it leads
        assertThat(node.replica().role()).isEqualTo(Role.LEADER);
        node.command(7, 1, bytes("a"), answers::add, 201); // stored, never durable
        assertThat(node.status().waiting()).isEqualTo(1);

        node.stop(CommandAnswer.refused(Status.ERROR, 0, "stopping"));
        node.command(7, 2, bytes("b"), answers::add, 202);

        assertThat(answers).extracting(CommandAnswer::status).containsExactly(Status.ERROR, Status.ERROR);
        assertThat(node.status().waiting()).isZero();
        assertThat(machine.applied).isEmpty();
        assertThatThrownBy(() -> node.tick(199)).as("time never goes back").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMembershipChangeIsAnsweredWithTheNewMembershipOrWhyItWasRefusedAndNeverReachesTheMachine() {
        Node node = node(LeaderDuties.NONE);
        node.tick(300);
        assertThat(node.status().isLeader()).isTrue();
        assertThat(node.status().membership().version()).isEqualTo(1);

        node.changeMembership(new io.paxlog.core.MembershipChange.AddLearner(2, 1), answers::add, 310);
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status()).isEqualTo(CommandAnswer.Status.APPLIED);
        assertThat(io.paxlog.core.MembershipChange.Result.decode(answers.get(0).result()).membership().learners())
                .containsExactly(2);
        assertThat(node.status().membership().version()).isEqualTo(2);

        node.changeMembership(new io.paxlog.core.MembershipChange.Remove(2, 1), answers::add, 320);
        assertThat(answers.get(1).status()).as("a stale version: definitely not applied")
                .isEqualTo(CommandAnswer.Status.REJECTED);
        assertThat(answers.get(1).message()).contains("at version 2").contains("expected version 1");
        assertThat(node.status().membership().learners()).containsExactly(2);

        node.changeMembership(new io.paxlog.core.MembershipChange.Promote(2, 2), answers::add, 330);
        assertThat(answers.get(2).status()).isEqualTo(CommandAnswer.Status.REJECTED);
        assertThat(answers.get(2).message()).contains("promotion refused, nothing proposed");
        assertThat(machine.applied).as("changes are the core's, not the service's").isEmpty();
    }
}
