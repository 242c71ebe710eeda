package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read-index on the leader: own command first, a confirmed query round, the read slot applied. */
class ReadIndexTest {

    private static List<Envelope> sent(List<Effects> all) {
        List<Envelope> sent = new ArrayList<>();
        all.forEach(e -> sent.addAll(e.send()));
        return sent;
    }

    private static List<Long> reads(List<Effects> all) {
        List<Long> reads = new ArrayList<>();
        all.forEach(e -> reads.addAll(e.reads()));
        return reads;
    }

    private static List<Refusal> refusals(List<Effects> all) {
        List<Refusal> refusals = new ArrayList<>();
        all.forEach(e -> refusals.addAll(e.refusals()));
        return refusals;
    }

    private static List<Effects> from(Replica replica, int peer, io.paxlog.api.message.Message message) {
        return Fixture.settle(replica, replica.receive(new Envelope(peer, replica.selfId(), message)));
    }

    private static long lastRound(List<Envelope> sent) {
        return sent.stream().filter(e -> e.message() instanceof Query).mapToLong(e -> ((Query) e.message()).round())
                .max().orElseThrow();
    }

    @Test
    void aReadWaitsForACommandOfTheLeadersEpochThenForAConfirmedRound() {
        Replica leader = Fixture.leader(Fixture.config(1, 3));
        Epoch epoch = leader.ownEpoch();
        List<Effects> effects = Fixture.settle(leader, leader.read(7));
        assertThat(reads(effects)).isEmpty();
        // Nothing of its epoch was chosen yet: it proposes a no-op to get there.
        Store noop = (Store) sent(effects).stream().filter(e -> e.message() instanceof Store && e.to() == 2)
                .findFirst().orElseThrow().message();
        assertThat(noop.entries().get(0).command().isNoop()).isTrue();
        long slot = noop.entries().get(0).slot();

        effects = from(leader, 2, new StoreOk(epoch, List.of(slot)));
        assertThat(leader.appliedSlot()).isEqualTo(slot);
        assertThat(reads(effects)).as("chosen, but leadership not confirmed after the read arrived").isEmpty();
        long round = lastRound(sent(effects));

        // An answer to an older round does not confirm it.
        assertThat(reads(from(leader, 3, new QueryReply(epoch, epoch, slot + 1, round - 1)))).isEmpty();
        assertThat(reads(from(leader, 3, new QueryReply(epoch, epoch, slot + 1, round)))).containsExactly(7L);
    }

    @Test
    void onceServingAReadNeedsOnlyAFreshRound() {
        Replica leader = Fixture.leader(Fixture.config(1, 3));
        Epoch epoch = leader.ownEpoch();
        Fixture.settle(leader, leader.read(7));
        List<Effects> chosen = from(leader, 2, new StoreOk(epoch, List.of(1L)));
        from(leader, 2, new QueryReply(epoch, epoch, 2, lastRound(sent(chosen))));

        List<Effects> effects = Fixture.settle(leader, leader.read(8));
        assertThat(sent(effects)).as("no second no-op").noneMatch(e -> e.message() instanceof Store);
        long round = lastRound(sent(effects));
        assertThat(reads(from(leader, 3, new QueryReply(epoch, epoch, 2, round)))).containsExactly(8L);
    }

    @Test
    void aFollowerRefusesReadsWithTheLeaderItKnows() {
        Replica follower = Fixture.started(Fixture.config(2, 3));
        Epoch leaderEpoch = new Epoch(4, 1);
        from(follower, 1, new Query(leaderEpoch));
        List<Effects> effects = Fixture.settle(follower, follower.read(9));
        assertThat(refusals(effects)).containsExactly(new Refusal(9, Refusal.Reason.NOT_LEADER, 1));
    }

    @Test
    void aLeaderThatLearnsOfAHigherEpochRefusesTheReadsItHolds() {
        Replica leader = Fixture.leader(Fixture.config(1, 3));
        Epoch epoch = leader.ownEpoch();
        Fixture.settle(leader, leader.read(7));
        List<Effects> effects = from(leader, 2, new Rejected(epoch, new Epoch(epoch.round() + 1, 3), MessageKind.STORE));
        assertThat(leader.role()).isEqualTo(Role.PASSIVE);
        assertThat(refusals(effects)).containsExactly(new Refusal(7, Refusal.Reason.NOT_LEADER, 3));
        assertThat(reads(effects)).isEmpty();
    }

    @Test
    void aSingleServerAnswersOnceItsOwnNoOpIsChosen() {
        Replica alone = Fixture.leader(Fixture.config(1, 1));
        assertThat(reads(Fixture.settle(alone, alone.read(3)))).containsExactly(3L);
    }
}
