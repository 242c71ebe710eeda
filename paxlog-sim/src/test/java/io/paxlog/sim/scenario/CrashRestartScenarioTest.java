package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.STORE_OK;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.storeAt;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static io.paxlog.sim.scenario.ScenarioCluster.epoch;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.core.Apply;
import io.paxlog.core.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crashes that lose what was not durable (docs/protocol.md#durable-state, docs/protocol.md#rule-d):
 * finalize marks may be lost, unsynced entries are lost, yet every command a client was told about
 * stays at its slot.
 *
 * <p>Commands: A = c1#1, B = c2#1, C = c3#1, D = c4#1 in the traces.
 */
class CrashRestartScenarioTest {

    static final Command A = command(1, 1);
    static final Command B = command(2, 1);
    static final Command C = command(3, 1);
    static final Command D = command(4, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void allServersCrashAndRestartKeepingEveryAcknowledgedCommandInOrderThenElectALeaderAndContinue() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        long a = cluster.submit(1, A);
        cluster.deliverAll();
        long b = cluster.submit(1, B);
        cluster.deliverAll();

        // C: 3's disk is slow, and 2's finalize mark for C will not reach its disk before the crash.
        cluster.holdWrites(3);
        long c = cluster.submit(1, C);
        cluster.deliverOne(storeAt(3).and(to(2))); // 2 stores C durably: with 1, C is chosen
        cluster.holdWrites(2);
        cluster.deliverAll();
        assertThat(cluster.answer(c)).map(Apply::slot).hasValue(3L);
        assertThat(cluster.applied(2)).containsExactly(A, B, C);

        cluster.crashAll();
        cluster.restartAll();
        cluster.autoWrites(2, 3);

        // Each server finds what was durable: 2 lost only a finalize mark, 3 lost its copy of C.
        assertThat(cluster.applied(1)).containsExactly(A, B, C);
        assertThat(cluster.applied(2)).containsExactly(A, B);
        assertThat(cluster.entry(2, 3)).isEqualTo(new Entry(epoch(1, 1), C, false));
        assertThat(cluster.applied(3)).containsExactly(A, B);
        assertThat(cluster.entry(3, 3)).isNull();

        cluster.electLeader(2); // 2.2: lastUsedSlot 3, reads slot 3 and stores C again
        long d = cluster.submit(2, D);
        cluster.deliverAll();

        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.applied(id)).as("server %d", id).containsExactly(A, B, C, D);
        }
        assertThat(cluster.answer(a)).map(Apply::slot).hasValue(1L);
        assertThat(cluster.answer(b)).map(Apply::slot).hasValue(2L);
        assertThat(cluster.answer(d)).map(Apply::slot).hasValue(4L);
    }

    @Test
    void leaderCountsItsOwnCopyOnlyOnceItIsDurable() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.holdWrites(1);
        long a = cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(2)));
        cluster.deliverOne(kind(STORE_OK).and(from(2)));

        // 2 and the leader's pending copy: one durable copy, not a majority of 3.
        assertThat(cluster.entry(1, 1).finalized()).isFalse();
        assertThat(cluster.answer(a)).isEmpty();

        cluster.persist(1); // its own storeOk reaches itself: 2 of 3
        assertThat(cluster.entry(1, 1).finalized()).isTrue();
        assertThat(cluster.answer(a)).map(Apply::slot).hasValue(1L);
    }

    @Test
    void leaderWithASlowDiskAnswersOnceTwoFollowersStoredAndTheCommandSurvivesItsCrash() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.holdWrites(1);
        long a = cluster.submit(1, A);
        cluster.deliverAll(); // 2 and 3 store A durably: chosen without the leader's own copy

        assertThat(cluster.answer(a)).map(Apply::slot).hasValue(1L);
        assertThat(cluster.pendingWrites(1)).isNotEmpty();
        cluster.crash(1); // its own copy of A never reached its disk
        cluster.restart(1);
        cluster.autoWrites(1);
        assertThat(cluster.entry(1, 1)).isNull();

        cluster.electLeader(2);
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A);
        }
    }
}
