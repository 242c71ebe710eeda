package io.paxlog.core;

import static io.paxlog.core.Fixture.ELECTION_MAX;
import static io.paxlog.core.Fixture.ELECTION_MIN;
import static io.paxlog.core.Fixture.HEARTBEAT;
import static io.paxlog.core.Fixture.config;
import static io.paxlog.core.Fixture.leader;
import static io.paxlog.core.Fixture.sent;
import static io.paxlog.core.Fixture.settle;
import static io.paxlog.core.Fixture.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Query;
import io.paxlog.api.storage.RecoveredState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pre-vote and leader stickiness (docs/prevote.md): messages in, effects out. */
class PreVoteTest {

    private static final Epoch LEADER_3 = new Epoch(1, 3);
    private static final Epoch ASKED_BY_2 = new Epoch(2, 2);

    /** Server 1 of 3, which promised 1.3 and follows leader 3, last heard at {@code heardAt}. */
    private static Replica followerOf3(long heardAt) {
        Replica replica = started(config(1, 3));
        replica.tick(heardAt);
        settle(replica, replica.receive(new Envelope(3, 1, new Overthrow(LEADER_3))));
        settle(replica, replica.receive(new Envelope(3, 1, new Query(LEADER_3))));
        return replica;
    }

    private static PreOverthrowReply answerTo(Replica replica, int from, Epoch asked) {
        List<Envelope> out = replica.receive(new Envelope(from, replica.selfId(), new PreOverthrow(asked))).send();
        assertThat(out).hasSize(1);
        return (PreOverthrowReply) out.get(0).message();
    }

    /** The time at which a passive replica, ticked every ms from {@code from}, starts its own pre-vote. */
    private static long preVoteStart(Replica replica, long from) {
        long t = from;
        while (!replica.preVoting()) {
            replica.tick(++t);
        }
        return t;
    }

    // ---- Answering ----

    @Test
    void aFollowerThatHeardALiveLeaderWithinTheMinimumTimeoutDeclinesAndChangesNothing() {
        Replica replica = followerOf3(50);
        replica.tick(50 + ELECTION_MIN - 1);
        Effects effects = replica.receive(new Envelope(2, 1, new PreOverthrow(ASKED_BY_2)));

        assertThat(effects.send()).containsExactly(
                new Envelope(1, 2, new PreOverthrowReply(ASKED_BY_2, LEADER_3, false)));
        assertThat(effects.persist()).as("a pre-vote is not subject to Rule D: nothing is written").isEmpty();
        assertThat(replica.promised()).isEqualTo(LEADER_3);
        assertThat(replica.leaderHint()).as("the asker is not taken for a leader").isEqualTo(3);
        assertThat(replica.highestRoundSeen()).as("a pre-vote's epoch is not a round anyone used").isEqualTo(1);
        assertThat(replica.role()).isEqualTo(Role.PASSIVE);
    }

    @Test
    void aPreVoteDoesNotResetTheElectionTimerWhetherGrantedOrDeclined() {
        // Twins drawing the same timeouts; only one hears pre-votes, one declined and one granted.
        Replica asked = followerOf3(50);
        Replica twin = followerOf3(50);
        asked.tick(60);
        assertThat(answerTo(asked, 2, ASKED_BY_2).granted()).isFalse();
        long own = preVoteStart(asked, 60);
        assertThat(preVoteStart(twin, 60)).isEqualTo(own);

        Replica late = followerOf3(50);
        Replica lateTwin = followerOf3(50);
        late.tick(50 + ELECTION_MIN);
        lateTwin.tick(50 + ELECTION_MIN);
        if (!late.preVoting()) {
            assertThat(answerTo(late, 2, ASKED_BY_2).granted()).isTrue();
            assertThat(preVoteStart(late, 50 + ELECTION_MIN)).isEqualTo(preVoteStart(lateTwin, 50 + ELECTION_MIN));
        }
    }

    @Test
    void aFollowerGrantsOnceTheMinimumTimeoutPassedWithoutALeaderAndTheGrantPromisesNothing() {
        Replica replica = followerOf3(50);
        replica.tick(50 + ELECTION_MIN);
        Effects effects = replica.receive(new Envelope(2, 1, new PreOverthrow(ASKED_BY_2)));

        assertThat(effects.send()).containsExactly(new Envelope(1, 2, new PreOverthrowReply(ASKED_BY_2, LEADER_3, true)));
        assertThat(effects.persist()).isEmpty();
        assertThat(replica.promised()).isEqualTo(LEADER_3);
        assertThat(replica.leaderHint()).isEqualTo(3);
    }

    @Test
    void aPreVoteIsGrantedExactlyWhenTheOverthrowWouldBeAccepted() {
        Replica replica = started(config(1, 3));
        settle(replica, replica.receive(new Envelope(3, 1, new Overthrow(new Epoch(4, 3)))));
        replica.tick(ELECTION_MIN);
        assertThat(answerTo(replica, 2, new Epoch(4, 2)).granted()).as("below the promise").isFalse();
        assertThat(answerTo(replica, 2, new Epoch(4, 3)).granted()).as("equal: a duplicate overthrow is accepted").isTrue();
        assertThat(answerTo(replica, 2, new Epoch(5, 2)).granted()).isTrue();
    }

    @Test
    void aRestartedServerDeclinesForTheMinimumTimeoutAfterItsStart() {
        Replica replica = new Replica(config(1, 3), RecoveredState.EMPTY, new SplittableRandom(1), 5_000);
        replica.start();
        replica.tick(5_000 + ELECTION_MIN - 1);
        assertThat(answerTo(replica, 2, ASKED_BY_2).granted())
                .as("it cannot know that no leader is alive before one could have been heard").isFalse();
        replica.tick(5_000 + ELECTION_MIN);
        if (!replica.preVoting()) {
            assertThat(answerTo(replica, 2, ASKED_BY_2).granted()).isTrue();
        }
    }

    @Test
    void aLeaderDeclinesEvenAHigherEpochAndKeepsLeading() {
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        Epoch higher = new Epoch(epoch.round() + 9, 2);
        Effects effects = replica.receive(new Envelope(2, 1, new PreOverthrow(higher)));

        assertThat(effects.send()).containsExactly(new Envelope(1, 2, new PreOverthrowReply(higher, epoch, false)));
        assertThat(replica.role()).isEqualTo(Role.LEADER);
        assertThat(replica.ownEpoch()).isEqualTo(epoch);
        assertThat(effects.refusals()).isEmpty();
    }

    @Test
    void aRealOverthrowAtAHigherEpochIsObeyedEvenRightAfterHearingTheLeader() {
        // Only a server that won a pre-vote sends one: a majority saw no leader, so obeying is right.
        Replica follower = followerOf3(50);
        List<Effects> effects = settle(follower, follower.receive(new Envelope(2, 1, new Overthrow(ASKED_BY_2))));
        assertThat(follower.promised()).isEqualTo(ASKED_BY_2);
        assertThat(sent(effects, OverthrowOk.class, 2)).hasSize(1);
        assertThat(follower.leaderHint()).isEqualTo(2);

        Replica leader = leader(config(1, 3));
        Epoch higher = new Epoch(leader.ownEpoch().round() + 1, 2);
        settle(leader, leader.receive(new Envelope(2, 1, new Overthrow(higher))));
        assertThat(leader.role()).isEqualTo(Role.PASSIVE);
        assertThat(leader.promised()).isEqualTo(higher);
    }

    // ---- Asking ----

    @Test
    void aWouldBeLeaderRaisesNothingUntilAMajorityIncludingItselfGrants() {
        Replica replica = started(config(1, 5));
        Effects asked = replica.tick(ELECTION_MAX);
        assertThat(replica.preVoting()).isTrue();
        assertThat(asked.persist()).isEmpty();
        assertThat(asked.send()).extracting(Envelope::to).containsExactlyInAnyOrder(2, 3, 4, 5);
        Epoch wouldBe = asked.send().get(0).message().epoch();
        assertThat(wouldBe).isEqualTo(new Epoch(1, 1));

        replica.receive(new Envelope(2, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, true)));
        replica.receive(new Envelope(3, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, false)));
        replica.receive(new Envelope(2, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, true))); // duplicated
        assertThat(replica.role()).as("2 and itself are not 3 of 5").isEqualTo(Role.PASSIVE);
        assertThat(replica.promised()).isEqualTo(Epoch.ZERO);

        Effects overthrow = replica.receive(new Envelope(4, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, true)));
        assertThat(replica.role()).isEqualTo(Role.CANDIDATE);
        assertThat(replica.ownEpoch()).isEqualTo(wouldBe);
        assertThat(overthrow.persist()).extracting(b -> b.promised()).containsExactly(wouldBe);
        assertThat(overthrow.send()).extracting(Envelope::message).containsOnly(new Overthrow(wouldBe));
    }

    @Test
    void theRequestIsResentEachHeartbeatToServersThatHaveNotGranted() {
        Replica replica = started(config(1, 5));
        long start = preVoteStart(replica, 0);
        Epoch wouldBe = new Epoch(1, 1);
        replica.receive(new Envelope(2, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, true)));
        replica.receive(new Envelope(3, 1, new PreOverthrowReply(wouldBe, Epoch.ZERO, false)));
        assertThat(replica.tick(start + HEARTBEAT - 1).send()).isEmpty();
        List<Envelope> again = replica.tick(start + HEARTBEAT).send();
        assertThat(again).extracting(Envelope::to).as("a refuser may grant later").containsExactlyInAnyOrder(3, 4, 5);
        assertThat(again).extracting(Envelope::message).containsOnly(new PreOverthrow(wouldBe));
    }

    @Test
    void aRoundThatLearnedOfAHigherPromiseAsksAboveItAndGrantsOfTheOldEpochAreVoid() {
        Epoch first = new Epoch(1, 1);
        Replica other = started(config(1, 3));
        long otherStart = preVoteStart(other, 0);
        other.receive(new Envelope(2, 1, new PreOverthrowReply(first, new Epoch(6, 2), false)));
        long u = otherStart;
        List<Envelope> asked = List.of();
        while (asked.stream().noneMatch(e -> e.message().epoch().round() == 7)) {
            asked = other.tick(++u).send();
        }
        assertThat(asked).extracting(Envelope::message).containsOnly(new PreOverthrow(new Epoch(7, 1)));
        other.receive(new Envelope(3, 1, new PreOverthrowReply(first, Epoch.ZERO, true)));
        assertThat(other.role()).as("a grant for 1.1 is no grant for 7.1").isEqualTo(Role.PASSIVE);
        other.receive(new Envelope(3, 1, new PreOverthrowReply(new Epoch(7, 1), Epoch.ZERO, true)));
        assertThat(other.ownEpoch()).isEqualTo(new Epoch(7, 1));
    }

    @Test
    void aWouldBeLeaderThatHearsALeaderAbandonsItsPreVote() {
        Replica replica = started(config(1, 3));
        preVoteStart(replica, 0);
        replica.receive(new Envelope(3, 1, new Query(LEADER_3)));
        assertThat(replica.preVoting()).isFalse();
        assertThat(replica.leaderHint()).isEqualTo(3);
        replica.receive(new Envelope(2, 1, new PreOverthrowReply(new Epoch(1, 1), Epoch.ZERO, true)));
        assertThat(replica.role()).as("the late grant answers a pre-vote that is over").isEqualTo(Role.PASSIVE);
        assertThat(replica.promised()).isEqualTo(Epoch.ZERO);
    }

    @Test
    void aServerThatTimesOutForgetsItsLeaderHint() {
        Replica replica = followerOf3(50);
        preVoteStart(replica, 50);
        assertThat(replica.leaderHint()).isZero();
    }

    // ---- Check-quorum ----

    @Test
    void preVoteRepliesAreNoAcknowledgementOfALeaderEvenAtItsOwnEpoch() {
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        Message grant = new PreOverthrowReply(epoch, Epoch.ZERO, true);
        long t = ELECTION_MAX;
        while (replica.role() == Role.LEADER && t < 10 * ELECTION_MAX) {
            t += HEARTBEAT;
            replica.tick(t);
            replica.receive(new Envelope(2, 1, grant));
        }
        assertThat(replica.role()).as("nobody acknowledged it: check-quorum still steps it down").isEqualTo(Role.PASSIVE);
        assertThat(t - ELECTION_MAX).isLessThanOrEqualTo(ELECTION_MAX + HEARTBEAT);
    }

    @Test
    void aLeaderThatLostItsMajorityStepsDownAndThenGrantsAtOnce() {
        Replica replica = leader(config(1, 3));
        long t = ELECTION_MAX;
        while (replica.role() == Role.LEADER) {
            replica.tick(t += HEARTBEAT);
        }
        Epoch higher = new Epoch(replica.promised().round() + 1, 2);
        assertThat(answerTo(replica, 2, higher).granted())
                .as("no live leader: it was the leader, and it is gone").isTrue();
    }
}
