package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.storage.RecoveredState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dispatcher: timers, roles, client commands and Rule D across steps. */
class ReplicaTest {

    private static Replica server(int id, List<Integer> members) {
        Replica replica = new Replica(ReplicaConfig.defaults(id, members).withTimeouts(100, 200, 20),
                RecoveredState.EMPTY, new SplittableRandom(id), 0);
        replica.start();
        return replica;
    }

    /** Ticks past the election timeout and grants the pre-vote from server 2; returns the overthrow's step. */
    private static Effects winPreVote(Replica replica, long now) {
        Epoch asking = replica.tick(now).send().get(0).message().epoch();
        return replica.receive(new Envelope(2, replica.selfId(), new PreOverthrowReply(asking, Epoch.ZERO, true)));
    }

    @Test
    void aPassiveServerWaitsARandomTimeoutWithinTheConfiguredRangeThenAsksInAPreVoteBeforeOverthrowing() {
        Replica replica = server(1, List.of(1, 2, 3));
        assertThat(replica.tick(99).send()).isEmpty();
        assertThat(replica.role()).isEqualTo(Role.PASSIVE);
        Effects asked = replica.tick(200);
        assertThat(replica.role()).isEqualTo(Role.PASSIVE);
        assertThat(replica.preVoting()).isTrue();
        assertThat(asked.persist()).as("a pre-vote writes nothing").isEmpty();
        assertThat(asked.send()).extracting(Envelope::to).containsExactlyInAnyOrder(2, 3);
        assertThat(asked.send()).extracting(Envelope::message).containsOnly(new PreOverthrow(new Epoch(1, 1)));
        assertThat(replica.promised()).isEqualTo(Epoch.ZERO);

        Effects effects = replica.receive(new Envelope(2, 1, new PreOverthrowReply(new Epoch(1, 1), Epoch.ZERO, true)));
        assertThat(replica.role()).as("2 and itself: a majority would promise").isEqualTo(Role.CANDIDATE);
        assertThat(replica.preVoting()).isFalse();
        assertThat(effects.send()).extracting(Envelope::to).containsExactlyInAnyOrder(2, 3);
        assertThat(effects.send()).extracting(Envelope::message).allMatch(m -> m.equals(new Overthrow(new Epoch(1, 1))));
    }

    @Test
    void aSingleServerClusterLeadsAndAppliesAClientCommandOnceItsOwnDiskIsDurable() {
        Replica replica = server(1, List.of(1));
        Fixture.settle(replica, replica.tick(200));
        assertThat(replica.role()).isEqualTo(Role.LEADER);
        Command command = new Command(5, 1, new byte[] {9});
        List<Effects> effects = Fixture.settle(replica, replica.submit(new ClientRequest(42, command)));
        List<Apply> applied = effects.stream().flatMap(e -> e.apply().stream()).toList();
        assertThat(applied).containsExactly(new Apply(1, command, 42));
        assertThat(replica.appliedSlot()).isEqualTo(1);
        assertThat(replica.entry(1)).isEqualTo(new Entry(replica.ownEpoch(), command, true));
    }

    @Test
    void aPassiveServerRefusesClientCommandsAndPointsAtTheLeader() {
        Replica replica = server(2, List.of(1, 2, 3));
        Epoch leader = new Epoch(4, 3);
        replica.receive(new Envelope(3, 2, new Overthrow(leader)));
        Effects effects = replica.submit(new ClientRequest(1, new Command(9, 1, new byte[0])));
        assertThat(effects.refusals()).containsExactly(new Refusal(1, Refusal.Reason.NOT_LEADER, 3));
    }

    @Test
    void aCandidateNeedsItsOwnDurablePromiseBeforeLeading() {
        Replica replica = server(1, List.of(1, 2, 3));
        Effects overthrow = winPreVote(replica, 200);
        Epoch epoch = replica.ownEpoch();
        replica.receive(new Envelope(2, 1, new io.paxlog.api.message.OverthrowOk(epoch, 0)));
        replica.receive(new Envelope(3, 1, new io.paxlog.api.message.OverthrowOk(epoch, 0)));
        assertThat(replica.role()).as("two peers promised, but not its own disk yet").isEqualTo(Role.CANDIDATE);
        replica.persisted(overthrow.persist().get(0).id());
        assertThat(replica.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void aLeaderBecomesPassiveAtOnceOnARejectionWithAHigherEpochAndRefusesItsWaitingClients() {
        Replica replica = Fixture.leader(Fixture.config(1, 3));
        Epoch epoch = replica.ownEpoch();
        replica.submit(new ClientRequest(7, new Command(3, 1, new byte[0])));
        Epoch higher = new Epoch(epoch.round() + 5, 3);
        Effects rejected = replica.receive(new Envelope(2, 1, new Rejected(epoch, higher, MessageKind.STORE)));
        assertThat(replica.role()).isEqualTo(Role.PASSIVE);
        assertThat(replica.leaderHint()).isEqualTo(3);
        assertThat(rejected.refusals()).containsExactly(new Refusal(7, Refusal.Reason.NOT_LEADER, 3));
        assertThat(replica.highestRoundSeen()).isEqualTo(higher.round());
    }

    @Test
    void aLeaderCutOffFromAMajorityStepsDownAfterTheElectionTimeout() {
        Replica replica = Fixture.leader(Fixture.config(1, 3));
        Epoch epoch = replica.ownEpoch();
        long t = 200;
        while (replica.role() == Role.LEADER && t < 1_000) {
            t += 20;
            replica.tick(t);
        }
        assertThat(replica.role()).as("the step that ended its leadership").isEqualTo(Role.PASSIVE);
        assertThat(t).as("no ack since 200 ms; max election timeout 200 ms").isGreaterThan(400).isLessThanOrEqualTo(440);
    }

    @Test
    void aFullPipelineQueuesThenRefusesAsBusy() {
        Replica replica = new Replica(ReplicaConfig.defaults(1, List.of(1, 2, 3)).withTimeouts(100, 200, 20)
                .withLimits(1, 16, 1 << 16, 16, 16, 1), RecoveredState.EMPTY, new SplittableRandom(1), 0);
        replica.start();
        Effects overthrow = winPreVote(replica, 200);
        Epoch epoch = replica.ownEpoch();
        replica.persisted(overthrow.persist().get(0).id());
        replica.receive(new Envelope(2, 1, new io.paxlog.api.message.OverthrowOk(epoch, 0)));
        replica.submit(new ClientRequest(1, new Command(3, 1, new byte[0]))); // in flight
        replica.submit(new ClientRequest(2, new Command(3, 2, new byte[0]))); // queued
        Effects busy = replica.submit(new ClientRequest(3, new Command(3, 3, new byte[0])));
        assertThat(busy.refusals()).containsExactly(new Refusal(3, Refusal.Reason.BUSY, 1));
    }

    @Test
    void timeNeverGoesBackwards() {
        Replica replica = server(1, List.of(1, 2, 3));
        replica.tick(50);
        assertThatThrownBy(() -> replica.tick(49)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesFromItselfThroughTheNetworkAreRefusedLoudly() {
        // Strangers are not refused: a learner being added writes before this server applied its addition.
        Replica replica = server(1, List.of(1, 2, 3));
        assertThatThrownBy(() -> replica.receive(new Envelope(1, 1, new Overthrow(new Epoch(1, 1)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid sender 1");
    }
}
