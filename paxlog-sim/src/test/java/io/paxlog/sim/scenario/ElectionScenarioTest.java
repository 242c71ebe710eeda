package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.OVERTHROW;
import static io.paxlog.api.message.MessageKind.OVERTHROW_OK;
import static io.paxlog.api.message.MessageKind.QUERY;
import static io.paxlog.api.message.MessageKind.READ;
import static io.paxlog.api.message.MessageKind.REJECTED;
import static io.paxlog.api.message.MessageKind.STORE;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.ELECTION_MAX_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static io.paxlog.sim.scenario.ScenarioCluster.epoch;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Rejected;
import io.paxlog.core.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Becoming leader (docs/protocol.md#step-1-overthrow, docs/protocol.md#step-2-wait-for-a-majority,
 * docs/protocol.md#election-timeouts-and-heartbeats).
 *
 * <p>Commands: A = c1#1 in the traces.
 */
class ElectionScenarioTest {

    static final Command A = command(1, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void candidateWithAMajorityOfOtherPromisesWaitsForItsOwnDurablePromiseBeforeLeading() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.holdWrites(1);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1);
        cluster.deliverAll(); // 2 and 3 promise 1.1: a majority, but 1's own promise is not durable

        assertThat(cluster.delivered(kind(OVERTHROW_OK).and(to(1)))).hasSize(2);
        assertThat(cluster.role(1)).isEqualTo(Role.CANDIDATE);
        assertThat(cluster.sent(from(1).and(kind(STORE, READ, QUERY)))).isEmpty();

        cluster.persist(1);
        assertThat(cluster.role(1)).isEqualTo(Role.LEADER);
        assertThat(cluster.replica(1).ownEpoch()).isEqualTo(epoch(1, 1));
    }

    @Test
    void candidateThatCrashesBeforeItsOwnPromiseIsDurableNeverLedSoReusingItsEpochAfterRestartIsSafe() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.holdWrites(1);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1);
        cluster.deliverAll(); // 2 and 3 durably promised 1.1
        cluster.crash(1); // 1's own promise of 1.1 is lost; it never led, never stored anything
        cluster.restart(1);
        cluster.autoWrites(1);
        assertThat(cluster.replica(1).promised()).isEqualTo(Epoch.ZERO);

        cluster.electLeader(1);
        assertThat(cluster.replica(1).ownEpoch()).isEqualTo(epoch(1, 1)); // the same epoch: it was never used
        cluster.submit(1, A);
        cluster.deliverAll();
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A);
        }
    }

    @Test
    void lateOverthrowBelowAServersPromiseIsRejectedAndTheRejectionEndsThatCandidacy() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1, 2); // both win their pre-votes: overthrow(1.1) and overthrow(1.2) in flight
        cluster.deliverOne(kind(OVERTHROW).and(from(2)).and(to(3)));
        cluster.deliverOne(kind(OVERTHROW_OK).and(to(2)));
        assertThat(cluster.role(2)).isEqualTo(Role.LEADER); // 1.2 with {2, 3}

        cluster.deliverOne(kind(OVERTHROW).and(from(1)).and(to(3))); // 1.1 arrives after 3 promised 1.2
        assertThat(cluster.inFlight(from(3).and(to(1))))
                .containsExactly(new Envelope(3, 1, new Rejected(epoch(1, 1), epoch(1, 2), OVERTHROW)));
        assertThat(cluster.role(1)).isEqualTo(Role.CANDIDATE);
        cluster.deliverOne(kind(REJECTED).and(to(1)));
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        cluster.deliverAll();
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        assertThat(cluster.sent(from(1).and(kind(STORE, READ, QUERY)))).isEmpty();

        // It remembers the higher round: its next attempt outbids 1.2.
        cluster.electLeader(1);
        assertThat(cluster.replica(1).ownEpoch()).isEqualTo(epoch(2, 1));
        assertThat(cluster.role(2)).isEqualTo(Role.PASSIVE);
    }

    @Test
    void twoCandidatesInTheSameRoundTheHigherServerIdWinsAndTheOtherNeverLeads() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1, 2); // both win their pre-votes: overthrow(1.1) and overthrow(1.2) race
        cluster.deliverAll();

        assertThat(cluster.role(2)).isEqualTo(Role.LEADER);
        assertThat(cluster.replica(2).ownEpoch()).isEqualTo(epoch(1, 2));
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        assertThat(cluster.replica(1).leaderHint()).isEqualTo(2);
        assertThat(cluster.sent(from(1).and(kind(STORE, READ, QUERY)))).isEmpty();

        cluster.submit(2, A);
        cluster.deliverAll();
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A);
        }
    }
}
