package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.FINALIZE;
import static io.paxlog.api.message.MessageKind.FINALIZE_REPLY;
import static io.paxlog.api.message.MessageKind.OVERTHROW;
import static io.paxlog.api.message.MessageKind.QUERY;
import static io.paxlog.api.message.MessageKind.READ;
import static io.paxlog.api.message.MessageKind.REJECTED;
import static io.paxlog.api.message.MessageKind.STORE;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.ELECTION_MAX_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.HEARTBEAT_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static io.paxlog.sim.scenario.ScenarioCluster.epoch;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.core.Entry;
import io.paxlog.core.Refusal;
import io.paxlog.core.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A leader that lost its leadership without knowing it: it comes back, or is cut off, while another
 * server leads at a higher epoch (docs/protocol.md#election-timeouts-and-heartbeats,
 * docs/protocol.md#stepping-down-on-a-higher-epoch).
 *
 * <p>Commands: A = c1#1, B = c2#1, C = c3#1, D = c4#1, E = c5#1, X = c9#1 in the traces.
 */
class DeposedLeaderScenarioTest {

    static final Command A = command(1, 1);
    static final Command B = command(2, 1);
    static final Command C = command(3, 1);
    static final Command D = command(4, 1);
    static final Command E = command(5, 1);
    static final Command X = command(9, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void overthrownLeaderThatKeepsSendingStoresIsRejectedTurnsPassiveAtOnceAndItsCommandsAreNeverFinalized() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1); // epoch 1.1
        cluster.submit(1, A);
        cluster.deliverAll(); // slot 1 = A everywhere

        // 1 and 5 are cut off while 2 takes over with 3 and 4.
        cluster.isolate(1);
        cluster.isolate(5);
        cluster.electLeader(2); // epoch 2.2
        cluster.heal();

        // The old leader never heard of 2.2: it still leads, takes two commands and stores them.
        assertThat(cluster.role(1)).isEqualTo(Role.LEADER);
        long b = cluster.submit(1, B);
        long c = cluster.submit(1, C);
        assertThat(cluster.inFlight(kind(STORE).and(from(1)))).hasSize(8); // two stores to each of 4 peers

        // Server 5 missed the election, so it still accepts epoch 1.1 ...
        cluster.deliver(kind(STORE).and(from(1)).and(to(5)));
        assertThat(cluster.entry(5, 2)).isEqualTo(new Entry(epoch(1, 1), B, false));
        // ... but 3 promised 2.2 and rejects: the first rejection makes the old leader passive.
        cluster.deliverOne(kind(STORE).and(from(1)).and(to(3)));
        Envelope rejection = cluster.deliverOne(kind(REJECTED).and(to(1)));
        assertThat(((Rejected) rejection.message()).promised()).isEqualTo(epoch(2, 2));
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        assertThat(cluster.refusal(b)).hasValue(new Refusal(b, Refusal.Reason.NOT_LEADER, 2));
        assertThat(cluster.refusal(c)).hasValue(new Refusal(c, Refusal.Reason.NOT_LEADER, 2));

        // Its remaining stores arrive late and are rejected; it sends no request after stepping down.
        int requestsBefore = cluster.sent(from(1).and(kind(STORE, FINALIZE, READ, QUERY, OVERTHROW))).size();
        cluster.deliverAll();
        assertThat(cluster.sent(from(1).and(kind(STORE, FINALIZE, READ, QUERY, OVERTHROW)))).hasSize(requestsBefore);
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A);
        }
        assertThat(cluster.answer(b)).isEmpty();
        assertThat(cluster.answer(c)).isEmpty();

        // The new leader fills slots 2 and 3; the leftovers on 1 and 5 are overwritten.
        long d = cluster.submit(2, D);
        long e = cluster.submit(2, E);
        cluster.deliverAll();
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A, D, E);
        }
        assertThat(cluster.answer(d)).hasValueSatisfying(apply -> assertThat(apply.slot()).isEqualTo(2));
        assertThat(cluster.answer(e)).hasValueSatisfying(apply -> assertThat(apply.slot()).isEqualTo(3));
    }

    @Test
    void leaderIsolatedWhileTheMajorityElectsAnotherStepsDownAfterHealingAndCatchesUp() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.deliverAll();

        // Cut off, the leader still takes a command: only its own disk gets it.
        cluster.isolate(1);
        long x = cluster.submit(1, X);
        assertThat(cluster.entry(1, 2)).isEqualTo(new Entry(epoch(1, 1), X, false));

        // The majority side elects 2 and goes on without 1.
        cluster.electLeader(2);
        cluster.submit(2, B);
        cluster.submit(2, C);
        cluster.deliverAll();
        for (int id = 2; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A, B, C);
        }
        assertThat(cluster.role(1)).isEqualTo(Role.LEADER); // it has not noticed

        // After healing, the first heartbeat of 2.2 deposes 1; catch-up replaces X.
        cluster.heal();
        cluster.heartbeat(2);
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        assertThat(cluster.replica(1).leaderHint()).isEqualTo(2);
        assertThat(cluster.refusal(x)).hasValue(new Refusal(x, Refusal.Reason.NOT_LEADER, 2));
        FinalizeReply missing = (FinalizeReply) cluster.sent(from(1).and(kind(FINALIZE_REPLY))).get(0).message();
        assertThat(missing.missing()).containsExactly(2L, 3L); // X@1.1 at slot 2 is not 2.2's entry
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A, B, C);
        }
        assertThat(cluster.applied(1)).containsExactly(A, B, C);
        assertThat(cluster.answer(x)).isEmpty();
    }

    @Test
    void refusedCommandMayStillBeChosenWhenItsFormerLeaderIsElectedAgain() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1); // 1.1
        cluster.isolate(1);
        long x = cluster.submit(1, X); // X@1.1 in slot 1, on 1's disk only
        cluster.advance(ELECTION_MAX_MS + HEARTBEAT_MS);
        cluster.tick(1); // no majority answered for a whole election timeout: it steps down
        assertThat(cluster.refusal(x)).hasValue(new Refusal(x, Refusal.Reason.NOT_LEADER, 0));

        cluster.heal();
        cluster.electLeader(1); // 2.1: its own read reply holds X@1.1, the highest epoch anyone has
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(X);
        }
        // The refusal promised nothing either way: a retry of X must be answered from the saved result.
    }

    @Test
    void isolatedLeaderStepsDownOnItsOwnWhenNoMajorityAnswersWithinTheElectionTimeout() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.deliverAll(); // the followers' last answers
        long lastAnswerAt = cluster.now();

        cluster.isolate(1);
        long x = cluster.submit(1, X);
        while (cluster.role(1) == Role.LEADER && cluster.now() - lastAnswerAt <= 2 * ELECTION_MAX_MS) {
            cluster.advance(HEARTBEAT_MS);
            cluster.tick(1);
        }

        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        assertThat(cluster.now() - lastAnswerAt).isGreaterThan(ELECTION_MAX_MS).isLessThanOrEqualTo(ELECTION_MAX_MS + HEARTBEAT_MS);
        assertThat(cluster.refusal(x)).hasValue(new Refusal(x, Refusal.Reason.NOT_LEADER, 0));
        assertThat(cluster.finalizedLog(1)).containsExactly(A);
    }
}
