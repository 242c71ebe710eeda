package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Store;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/membership.md: changes by compare-and-set, the alpha window, and a leader that changes its cluster. */
class MembershipTest {

    private static final Membership SEED = Membership.seed(List.of(1, 2, 3), 3);

    @Test
    void aChangeAppliesOnlyAtTheVersionItNamesAndOnlyWhenItMakesSense() {
        MembershipChange.Result added = SEED.apply(new MembershipChange.AddLearner(4, 1));
        assertThat(added.applied()).isTrue();
        assertThat(added.membership()).isEqualTo(new Membership(2, List.of(1, 2, 3), List.of(4), 3));

        MembershipChange.Result raced = added.membership().apply(new MembershipChange.AddLearner(5, 1));
        assertThat(raced.applied()).as("a second operator who also saw version 1").isFalse();
        assertThat(raced.reason()).contains("at version 2").contains("expected version 1");
        assertThat(raced.membership()).isEqualTo(added.membership());

        Membership promoted = added.membership().apply(new MembershipChange.Promote(4, 2)).membership();
        assertThat(promoted.voters()).containsExactly(1, 2, 3, 4);
        assertThat(promoted.majority()).isEqualTo(3);
        assertThat(promoted.apply(new MembershipChange.Promote(4, 3)).reason()).contains("already a voter");
        assertThat(promoted.apply(new MembershipChange.AddLearner(2, 3)).reason()).contains("already a voter");
        assertThat(promoted.apply(new MembershipChange.Remove(9, 3)).reason()).contains("not a member");
        assertThat(Membership.seed(List.of(1), 3).apply(new MembershipChange.Remove(1, 1)).reason())
                .contains("last voter");
    }

    @Test
    void learnersAndStrangersCountForNoQuorum() {
        Membership withLearner = SEED.apply(new MembershipChange.AddLearner(4, 1)).membership();
        assertThat(withLearner.isQuorum(Set.of(1, 4))).isFalse();
        assertThat(withLearner.isQuorum(Set.of(1, 4, 9))).isFalse();
        assertThat(withLearner.isQuorum(Set.of(1, 2))).isTrue();
    }

    @Test
    void aChangeChosenAtSlotXGovernsFromXPlusAlpha() {
        MembershipHistory history = new MembershipHistory(SEED, true);
        assertThat(history.apply(1, new MembershipChange.AddLearner(4, 1).toCommand()).applied()).isTrue();
        assertThat(history.apply(2, new MembershipChange.Promote(4, 2).toCommand()).applied()).isTrue();
        assertThat(history.latest().voters()).containsExactly(1, 2, 3, 4);
        assertThat(history.governing(3)).as("slot 3 follows slot 0").isEqualTo(SEED);
        assertThat(history.governing(4).version()).isEqualTo(2);
        assertThat(history.governing(5).version()).isEqualTo(3);
        assertThat(history.governedThrough()).isEqualTo(5);
        assertThat(history.knowsGoverning(6)).isFalse();
        assertThatThrownBy(() -> history.governing(6)).hasMessageContaining("above the applied slot");
        assertThat(history.governingRange(3, 5)).extracting(Membership::version).containsExactly(1L, 2L, 3L);
        assertThat(history.isQuorumOfEach(3, 5, Set.of(1, 2))).as("2 of 4 is no majority of v3").isFalse();
        assertThat(history.isQuorumOfEach(3, 5, Set.of(1, 2, 4))).isTrue();

        MembershipHistory copy = MembershipHistory.decode(history.encode());
        assertThat(copy.appliedSlot()).isEqualTo(2);
        for (long slot = 3; slot <= 5; slot++) {
            assertThat(copy.governing(slot)).isEqualTo(history.governing(slot));
        }
        assertThat(history.apply(3, Command.NOOP)).as("not a change").isNull();
        assertThatThrownBy(() -> history.apply(5, Command.NOOP)).hasMessageContaining("after slot 3");
    }

    @Test
    void aLeaderAddsALearnerThatCountsForNothingAndPromotesItOnlyOnceItIsClose() {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1))
                .withTimeouts(Fixture.ELECTION_MIN, Fixture.ELECTION_MAX, Fixture.HEARTBEAT)
                .withReconfig(new ReplicaConfig.Reconfig(2, 5));
        Replica leader = Fixture.started(config);
        Fixture.settle(leader, leader.tick(Fixture.ELECTION_MAX));
        assertThat(leader.role()).isEqualTo(Role.LEADER);

        List<Effects> added = Fixture.settle(leader, leader.submitChange(7, new MembershipChange.AddLearner(2, 1)));
        Apply change = added.stream().flatMap(e -> e.apply().stream()).filter(a -> a.requestId() == 7)
                .findFirst().orElseThrow();
        assertThat(change.change().applied()).isTrue();
        assertThat(leader.membership().learners()).containsExactly(2);

        // Promotion before the learner ever answered: refused, nothing proposed.
        long before = leader.lastUsedSlot();
        Effects refused = leader.submitChange(8, new MembershipChange.Promote(2, 2));
        assertThat(refused.refusals()).containsExactly(new Refusal(8, Refusal.Reason.LEARNER_BEHIND, 1));
        assertThat(leader.lastUsedSlot()).isEqualTo(before);

        // The learner gets the log, but a command is chosen by the one voter alone.
        List<Effects> command = Fixture.settle(leader, leader.submit(new ClientRequest(9, new Command(5, 1, new byte[] {1}))));
        assertThat(Fixture.sent(command, Store.class, 2)).isNotEmpty();
        assertThat(command.stream().flatMap(e -> e.apply().stream())).anyMatch(a -> a.requestId() == 9);

        // Once it reports a position within the allowed lag, the promotion goes through.
        List<Effects> heartbeat = Fixture.settle(leader, leader.tick(Fixture.ELECTION_MAX + 10 * Fixture.HEARTBEAT));
        Query query = (Query) Fixture.sent(heartbeat, Query.class, 2).get(0).message();
        Fixture.settle(leader, leader.receive(new Envelope(2, 1, new QueryReply(query.epoch(), query.epoch(),
                leader.firstUnfinalizedSlot(), query.round()))));
        List<Effects> promoted = Fixture.settle(leader, leader.submitChange(10, new MembershipChange.Promote(2, 2)));
        assertThat(promoted.stream().flatMap(e -> e.apply().stream()).filter(a -> a.requestId() == 10)
                .findFirst().orElseThrow().change().applied()).isTrue();
        assertThat(leader.membership().voters()).containsExactly(1, 2);

        // A stale operator: chosen, refused where applied, the membership unchanged.
        List<Effects> stale = Fixture.settle(leader, leader.submitChange(11, new MembershipChange.AddLearner(3, 1)));
        assertThat(stale).allMatch(e -> e.apply().stream().noneMatch(a -> a.requestId() == 11),
                "not applied yet: with two voters the leader alone is no majority");
        assertThat(leader.membership().version()).isEqualTo(3);
    }
}
