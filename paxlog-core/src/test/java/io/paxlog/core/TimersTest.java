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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.api.storage.RecoveredState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Election timeouts, heartbeats, re-sends and check-quorum: the time-driven half of the core. */
class TimersTest {

    private static final Epoch LEADER_3 = new Epoch(1, 3);

    @Test
    void aReplicaMustBeStartedBeforeAnyEvent() {
        Replica replica = new Replica(config(1, 3), RecoveredState.EMPTY, new SplittableRandom(1), 0);
        assertThatThrownBy(() -> replica.tick(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> replica.persisted(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> replica.receive(new Envelope(2, 1, new Query(LEADER_3))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> replica.submit(new ClientRequest(1, new Command(1, 1, new byte[0]))))
                .isInstanceOf(IllegalStateException.class);
        replica.start();
        assertThatThrownBy(replica::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void electionTimeoutsAreDrawnFromTheWholeConfiguredRange() {
        Set<Long> seen = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            Replica replica = new Replica(config(1, 3), RecoveredState.EMPTY, new SplittableRandom(seed), 1_000);
            replica.start();
            long t = 1_000;
            while (!replica.preVoting()) {
                replica.tick(++t);
            }
            long timeout = t - 1_000;
            assertThat(timeout).isBetween(ELECTION_MIN, ELECTION_MAX);
            seen.add(timeout);
        }
        assertThat(seen).as("randomized, so servers do not wake together").hasSizeGreaterThan(50);
    }

    static Stream<Function<Epoch, Message>> leaderMessages() {
        return Stream.of(Query::new, e -> new Finalize(e, List.of(1L)), e -> new Read(e, 1, 1),
                e -> new Store(e, List.of(new SlotCommand(1, new Command(4, 1, new byte[0])))));
    }

    @ParameterizedTest
    @MethodSource("leaderMessages")
    void anyMessageFromALiveLeaderKeepsAPassiveServerFromOverthrowing(Function<Epoch, Message> fromLeader) {
        Replica replica = started(config(1, 3));
        for (long t = HEARTBEAT; t <= 10 * ELECTION_MAX; t += HEARTBEAT) {
            settle(replica, replica.receive(new Envelope(3, 1, fromLeader.apply(LEADER_3))));
            replica.tick(t);
            assertThat(replica.role()).as("at %d ms", t).isEqualTo(Role.PASSIVE);
        }
        assertThat(replica.leaderHint()).isEqualTo(3);
    }

    @Test
    void aMessageFromADeposedLeaderDoesNotKeepAServerWaiting() {
        Replica replica = started(config(1, 3));
        settle(replica, replica.receive(new Envelope(2, 1, new Overthrow(new Epoch(5, 2)))));
        long t = 0;
        while (!replica.preVoting() && t < 10 * ELECTION_MAX) {
            t += HEARTBEAT;
            replica.receive(new Envelope(3, 1, new Query(LEADER_3)));
            replica.tick(t);
        }
        assertThat(replica.preVoting()).isTrue();
    }

    @Test
    void aCandidatePicksARoundAboveEveryRoundItHasSeen() {
        Replica replica = started(config(1, 3));
        replica.receive(new Envelope(3, 1, new Query(new Epoch(7, 3))));
        assertThat(replica.highestRoundSeen()).isEqualTo(7);
        Fixture.campaign(replica, ELECTION_MAX);
        assertThat(replica.ownEpoch()).isEqualTo(new Epoch(8, 1));
    }

    @Test
    void aServerTimesOutAtItsDeadlineNotAfter() {
        Replica replica = started(config(1, 3));
        long t = 0;
        while (!replica.preVoting()) {
            replica.tick(++t);
        }
        Replica twin = started(config(1, 3));
        twin.tick(t - 1);
        assertThat(twin.preVoting()).isFalse();
        twin.tick(t);
        assertThat(twin.preVoting()).isTrue();
    }

    @Test
    void aCandidateResendsItsOverthrowOnlyToServersThatHaveNotPromised() {
        Replica replica = started(config(1, 5));
        List<Effects> first = Fixture.campaign(replica, ELECTION_MAX);
        Epoch epoch = replica.ownEpoch();
        assertThat(sent(first, Overthrow.class, 2)).hasSize(1);
        replica.receive(new Envelope(2, 1, new OverthrowOk(epoch, 0)));
        assertThat(replica.tick(ELECTION_MAX + HEARTBEAT - 1).send()).as("not before a heartbeat interval").isEmpty();
        List<Envelope> resent = replica.tick(ELECTION_MAX + HEARTBEAT).send();
        assertThat(resent).extracting(Envelope::to).containsExactlyInAnyOrder(3, 4, 5);
        assertThat(resent).extracting(Envelope::message).containsOnly(new Overthrow(epoch));
        assertThat(replica.role()).isEqualTo(Role.CANDIDATE);
    }

    @Test
    void aCandidateWithoutAMajorityAsksAgainInAPreVoteForAHigherRoundAfterItsTimeout() {
        Replica replica = started(config(1, 3));
        Fixture.campaign(replica, ELECTION_MAX);
        Epoch first = replica.ownEpoch();
        long t = ELECTION_MAX;
        List<Envelope> sent = List.of();
        while (replica.role() == Role.CANDIDATE) {
            sent = replica.tick(t += 10).send();
        }
        assertThat(t - ELECTION_MAX).isBetween(ELECTION_MIN, ELECTION_MAX + 10);
        assertThat(replica.preVoting()).as("it raises nothing more until a majority would promise").isTrue();
        assertThat(replica.promised()).isEqualTo(first);
        assertThat(sent).extracting(Envelope::message)
                .containsOnly(new io.paxlog.api.message.PreOverthrow(new Epoch(first.round() + 1, 1)));
        Fixture.campaign(replica, t + ELECTION_MAX);
        assertThat(replica.ownEpoch().round()).isEqualTo(first.round() + 1);
    }

    @Test
    void aLeaderHeartbeatsEveryPeerEveryInterval() {
        Replica replica = leader(config(1, 3));
        long t = ELECTION_MAX + HEARTBEAT;
        List<Envelope> heartbeat = replica.tick(t).send();
        assertThat(heartbeat).extracting(Envelope::message)
                .filteredOn(m -> m instanceof Query).allMatch(m -> m.epoch().equals(replica.ownEpoch()));
        long round = ((Query) heartbeat.stream().filter(e -> e.message() instanceof Query).findFirst().orElseThrow()
                .message()).round();
        assertThat(round).as("every heartbeat is a numbered query round, which read-index counts on").isPositive();
        assertThat(heartbeat.stream().filter(e -> e.message() instanceof Query).map(Envelope::to))
                .containsExactlyInAnyOrder(2, 3);
        assertThat(replica.tick(t + HEARTBEAT - 1).send()).isEmpty();
    }

    @Test
    void aLeaderThatKeepsHearingFromAMajorityKeepsLeading() {
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        long round = 1;
        for (long t = ELECTION_MAX; t <= 20 * ELECTION_MAX; t += HEARTBEAT) {
            for (Envelope query : sent(List.of(replica.tick(t)), Query.class, 2)) {
                round = ((Query) query.message()).round();
            }
            replica.receive(new Envelope(2, 1, new QueryReply(epoch, epoch, 1, round))); // answers the latest round
        }
        assertThat(replica.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void aLeaderWhoseMajorityAnswersOnlyOldRoundsStepsDown() {
        // Answers that keep arriving but answer a round sent long ago (delayed on a slow link to a server
        // that no longer hears the leader) are not a majority heard lately: a deaf leader must step down,
        // or its heartbeats keep every follower from electing another.
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        boolean stillLeading = true;
        for (long t = ELECTION_MAX; t <= 20 * ELECTION_MAX && stillLeading; t += HEARTBEAT) {
            replica.tick(t);
            replica.receive(new Envelope(2, 1, new QueryReply(epoch, epoch, 1, 1)));
            stillLeading = replica.role() == Role.LEADER;
        }
        assertThat(stillLeading).as("a leader hearing only answers to its first round steps down").isFalse();
    }

    @Test
    void aLeaderStepsDownWhenAnotherLeaderAtAHigherEpochQueriesIt() {
        Replica replica = leader(config(1, 3));
        replica.receive(new Envelope(3, 1, new Query(new Epoch(9, 3))));
        assertThat(replica.role()).isEqualTo(Role.PASSIVE);
        assertThat(replica.leaderHint()).isEqualTo(3);
    }

    @Test
    void aLeaderResendsAnUnchosenStoreOnlyToThePeersThatHaveNotStoredIt() {
        Replica replica = leader(config(1, 5));
        Epoch epoch = replica.ownEpoch();
        Command command = new Command(4, 1, new byte[] {7});
        List<Effects> submitted = settle(replica, replica.submit(new ClientRequest(1, command)));
        assertThat(sent(submitted, Store.class, 2)).hasSize(1);
        long slot = replica.lastUsedSlot();
        replica.receive(new Envelope(2, 1, new io.paxlog.api.message.StoreOk(epoch, List.of(slot))));
        assertThat(replica.entry(slot).finalized()).as("2 of 5 is no majority").isFalse();
        assertThat(replica.tick(ELECTION_MAX + HEARTBEAT - 1).send()).as("not before a heartbeat interval").isEmpty();
        List<Envelope> resent = new ArrayList<>(replica.tick(ELECTION_MAX + HEARTBEAT).send());
        resent.removeIf(e -> !(e.message() instanceof Store));
        assertThat(resent).extracting(Envelope::to).containsExactlyInAnyOrder(3, 4, 5);
        assertThat(resent.get(0).message()).isEqualTo(new Store(epoch, List.of(new SlotCommand(slot, command))));
    }
}
