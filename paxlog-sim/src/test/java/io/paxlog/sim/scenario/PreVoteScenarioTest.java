package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.OVERTHROW;
import static io.paxlog.api.message.MessageKind.PRE_OVERTHROW;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.ScenarioCluster.ELECTION_MAX_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.HEARTBEAT_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.core.BrokenRules;
import io.paxlog.core.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pre-vote and leader stickiness (issue 10, docs/prevote.md): a server that cannot win never
 * deposes a healthy leader, and a leader that is really gone is still replaced.
 *
 * <p>Time moves one heartbeat interval at a time; every running server is ticked and every message
 * delivered at each step, as a real cluster would. The broken rules of {@link BrokenRules#availability()}
 * fail the same scripts: that is what an availability check must catch.
 */
class PreVoteScenarioTest {

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    /** What a script saw of the leader it started with. */
    private static final class Watch {
        final int leader;
        final Epoch epoch;
        int stepsWithoutIt;
        final List<Long> requests = new ArrayList<>();
        long sequence;

        Watch(ScenarioCluster cluster, int leader) {
            this.leader = leader;
            this.epoch = cluster.replica(leader).ownEpoch();
        }
    }

    /** One heartbeat interval: every running server ticks, everything is delivered. */
    private static void step(ScenarioCluster cluster) {
        cluster.advance(HEARTBEAT_MS);
        cluster.tick(cluster.running());
        cluster.deliverAll();
    }

    /** Runs {@code steps} heartbeat intervals, submitting to the watched leader every 5th while it leads. */
    private static void run(ScenarioCluster cluster, Watch watch, int steps) {
        for (int i = 0; i < steps; i++) {
            boolean leads = cluster.role(watch.leader) == Role.LEADER
                    && watch.epoch.equals(cluster.replica(watch.leader).ownEpoch());
            if (!leads) {
                watch.stepsWithoutIt++;
            } else if (i % 5 == 0) {
                watch.requests.add(cluster.submit(watch.leader, command(1, ++watch.sequence)));
            }
            step(cluster);
        }
    }

    // ---- A deaf follower ----

    /** Issue 10: 3 hears nobody for 30 s but everyone hears it. */
    private Watch deafFollowerFor30s(ScenarioCluster cluster) {
        cluster.electLeader(1);
        Watch watch = new Watch(cluster, 1);
        cluster.deafen(3);
        run(cluster, watch, 300);
        return watch;
    }

    @Test
    void aDeafFollowerCannotDeposeAHealthyLeader() {
        ScenarioCluster cluster = scenarios.cluster(3);
        Watch watch = deafFollowerFor30s(cluster);

        assertThat(watch.stepsWithoutIt).as("heartbeat intervals in which 1 did not lead at its epoch").isZero();
        assertThat(cluster.sent(kind(PRE_OVERTHROW).and(from(3)))).as("3 kept asking").isNotEmpty();
        assertThat(cluster.sent(kind(OVERTHROW))).extracting(e -> e.message().epoch())
                .as("nobody raised an epoch after 1's election").containsOnly(watch.epoch);
        assertThat(cluster.replica(2).promised()).isEqualTo(watch.epoch);
        assertThat(cluster.replica(2).leaderHint()).isEqualTo(1);
        assertThat(watch.requests).hasSize(60).allSatisfy(id -> assertThat(cluster.answer(id)).isPresent());
    }

    @Test
    void aDeafFollowerCannotDeposeTheLeaderOfFiveEither() {
        ScenarioCluster cluster = scenarios.cluster(5);
        Watch watch = deafFollowerFor30s(cluster);
        assertThat(watch.stepsWithoutIt).isZero();
        for (int id : new int[] {2, 4, 5}) {
            assertThat(cluster.replica(id).promised()).as("server %d", id).isEqualTo(watch.epoch);
        }
        assertThat(watch.requests).allSatisfy(id -> assertThat(cluster.answer(id)).isPresent());
    }

    @ParameterizedTest
    @EnumSource(value = BrokenRules.class, names = {"NO_PRE_VOTE", "YIELD_TO_ANY_HIGHER_EPOCH"})
    void withTheRuleBrokenTheDeafFollowerStopsWritesForMostOfTheFault(BrokenRules rule) {
        ScenarioCluster cluster = scenarios.cluster(3, rule.factory());
        Watch watch = deafFollowerFor30s(cluster);
        assertThat(watch.stepsWithoutIt).as("issue 10: writes stopped for most of the 30 s").isGreaterThan(150);
    }

    // ---- A healed minority ----

    /** 4 and 5 are cut off for ten election timeouts, then the network heals. */
    private Watch minorityCutOffThenHealed(ScenarioCluster cluster) {
        cluster.electLeader(1);
        Watch watch = new Watch(cluster, 1);
        cluster.partition(4, 5);
        run(cluster, watch, (int) (10 * ELECTION_MAX_MS / HEARTBEAT_MS));
        cluster.heal();
        run(cluster, watch, 10);
        return watch;
    }

    @Test
    void aHealedMinorityThatKeptTimingOutRejoinsWithoutAnElection() {
        ScenarioCluster cluster = scenarios.cluster(5);
        Watch watch = minorityCutOffThenHealed(cluster);

        assertThat(cluster.sent(kind(PRE_OVERTHROW).and(from(4)))).as("4 timed out and asked, again and again")
                .hasSizeGreaterThan(10);
        assertThat(cluster.sent(kind(OVERTHROW))).extracting(e -> e.message().epoch())
                .as("without a majority it never raised its epoch").containsOnly(watch.epoch);
        assertThat(watch.stepsWithoutIt).isZero();
        for (int id = 2; id <= 5; id++) {
            assertThat(cluster.replica(id).promised()).as("server %d", id).isEqualTo(watch.epoch);
            assertThat(cluster.replica(id).leaderHint()).as("server %d", id).isEqualTo(1);
            assertThat(cluster.replica(id).preVoting()).as("server %d", id).isFalse();
        }
        List<Command> log = cluster.finalizedLog(1);
        assertThat(log).hasSize(watch.requests.size());
        assertThat(cluster.finalizedLog(4)).as("caught up").isEqualTo(log);
        assertThat(cluster.finalizedLog(5)).as("caught up").isEqualTo(log);
    }

    @Test
    void withoutPreVoteTheHealedMinoritysInflatedEpochDeposesTheLeader() {
        ScenarioCluster cluster = scenarios.cluster(5, BrokenRules.NO_PRE_VOTE.factory());
        Watch watch = minorityCutOffThenHealed(cluster);
        assertThat(cluster.replica(4).promised().round()).as("inflated while cut off").isGreaterThan(watch.epoch.round() + 3);
        assertThat(cluster.role(1) == Role.LEADER && watch.epoch.equals(cluster.replica(1).ownEpoch()))
                .as("the old leader was deposed on healing").isFalse();
    }

    @Test
    void aServerThatGenuinelyPromisedAHigherEpochCostsOneElectionWhenItRejoinsNotMore() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        cluster.crash(1);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(5); // 2, 3 and 4 grant: overthrow(2.5) is in flight ...
        cluster.partition(4, 5); // ... but only 4 gets it
        cluster.deliverAll();
        assertThat(cluster.replica(4).promised()).isEqualTo(new Epoch(2, 5));

        cluster.restart(1);
        int leader = stepUntilALeader(cluster, 1, 2, 3);
        Epoch lower = cluster.replica(leader).ownEpoch();
        assertThat(lower).as("the majority never saw round 2 used").isEqualTo(new Epoch(2, 3));
        for (int i = 0; i < 50; i++) {
            step(cluster); // 4 and 5 keep asking each other, and raise nothing
        }
        assertThat(cluster.replica(4).promised()).isEqualTo(new Epoch(2, 5));
        assertThat(cluster.replica(5).promised()).isEqualTo(new Epoch(2, 5));

        // 4 must refuse stores below its promise (safety), and its answer deposes the leader: one election.
        cluster.heal();
        int next = stepUntilALeader(cluster, 1, 2, 3, 4, 5);
        Epoch after = cluster.replica(next).ownEpoch();
        assertThat(after).isGreaterThan(new Epoch(2, 5));
        Watch watch = new Watch(cluster, next);
        run(cluster, watch, 50);
        assertThat(watch.stepsWithoutIt).as("stable after that one election").isZero();
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.replica(id).promised()).as("server %d", id).isEqualTo(after);
        }
    }

    /** Steps until one of {@code ids} leads; fails after five election timeouts. */
    private static int stepUntilALeader(ScenarioCluster cluster, int... ids) {
        long start = cluster.now();
        while (cluster.now() - start <= 5 * ELECTION_MAX_MS) {
            step(cluster);
            for (int id : ids) {
                if (cluster.role(id) == Role.LEADER) {
                    return id;
                }
            }
        }
        throw new AssertionError("no leader among " + java.util.Arrays.toString(ids));
    }

    // ---- A leader that is really gone ----

    @Test
    void aCrashedLeaderIsStillReplacedWithinAFewElectionTimeouts() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        Command a = command(1, 1);
        cluster.submit(1, a);
        cluster.deliverAll();
        cluster.crash(1);
        long crashedAt = cluster.now();

        int leader = stepUntilALeader(cluster, 2, 3, 4, 5);
        assertThat(cluster.now() - crashedAt).as("every server aged past the minimum timeout, so a majority said yes")
                .isLessThanOrEqualTo(2 * ELECTION_MAX_MS);

        Command b = command(2, 1);
        long request = cluster.submit(leader, b);
        cluster.deliverAll();
        assertThat(cluster.answer(request)).isPresent();
        for (int id : cluster.running()) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(a, b);
        }
    }

    @Test
    void aLeaderCutOffFromTheMajorityIsReplacedStepsDownByCheckQuorumAndRejoinsAsAFollower() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        Epoch old = cluster.replica(1).ownEpoch();
        cluster.isolate(1);
        long cutAt = cluster.now();

        int leader = stepUntilALeader(cluster, 2, 3, 4, 5); // the majority, without the old leader
        assertThat(cluster.now() - cutAt).isLessThanOrEqualTo(2 * ELECTION_MAX_MS);
        for (int i = 0; i < 20; i++) {
            step(cluster);
        }
        assertThat(cluster.role(1)).as("check-quorum: no majority answered it").isEqualTo(Role.PASSIVE);
        assertThat(cluster.replica(1).promised()).isEqualTo(old);

        Watch watch = new Watch(cluster, leader);
        int overthrowsBefore = cluster.sent(kind(OVERTHROW)).size();
        cluster.heal();
        run(cluster, watch, 20);
        assertThat(watch.stepsWithoutIt).isZero();
        assertThat(cluster.sent(kind(OVERTHROW))).as("the old leader rejoined without an election").hasSize(overthrowsBefore);
        assertThat(cluster.replica(1).leaderHint()).isEqualTo(leader);
        assertThat(cluster.finalizedLog(1)).isEqualTo(cluster.finalizedLog(leader));
    }

    @Test
    void aFollowerRestartedAfterALongOutageRejoinsWithoutDisturbingTheLeader() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        Watch watch = new Watch(cluster, 1);
        cluster.crash(3);
        run(cluster, watch, 50);
        cluster.restart(3);
        int overthrowsBefore = cluster.sent(kind(OVERTHROW)).size();
        run(cluster, watch, 50);
        assertThat(watch.stepsWithoutIt).isZero();
        assertThat(cluster.sent(kind(OVERTHROW))).hasSize(overthrowsBefore);
        assertThat(cluster.finalizedLog(3)).isEqualTo(cluster.finalizedLog(1));
    }
}
