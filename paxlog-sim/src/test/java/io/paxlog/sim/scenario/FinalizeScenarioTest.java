package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.FINALIZE;
import static io.paxlog.api.message.MessageKind.FINALIZE_REPLY;
import static io.paxlog.api.message.MessageKind.QUERY;
import static io.paxlog.api.message.MessageKind.QUERY_REPLY;
import static io.paxlog.api.message.MessageKind.STORE_OK;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.involving;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.storeAt;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.HEARTBEAT_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static io.paxlog.sim.scenario.ScenarioCluster.epoch;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.core.Apply;
import io.paxlog.core.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finalize and catch-up (docs/protocol.md#finalize-only-at-the-accepted-epoch, docs/protocol.md#catch-up):
 * a slot is finalized only where the accepted epoch matches, acknowledgements are counted per server,
 * and a lagging follower is brought up to date in bounded rounds.
 *
 * <p>Commands: A = c1#1, B = c2#1, cN#1 for the numbered ones, in the traces.
 */
class FinalizeScenarioTest {

    static final Command A = command(1, 1);
    static final Command B = command(2, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void followerHoldingAnOlderEpochsCommandAnswersMissingToFinalizeAndEndsWithTheLeadersCommand() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1); // 1.1
        cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(5))); // A@1.1 on {1, 5}: not chosen
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.isolate(5);
        cluster.electLeader(2); // 2.2 with {2, 3, 4}: nothing to recover
        cluster.submit(2, B);
        cluster.deliverAll(); // B finalized at slot 1 on 2, 3, 4
        cluster.heal();

        cluster.advance(HEARTBEAT_MS);
        cluster.tick(2);
        cluster.deliverOne(kind(QUERY).and(to(5)));
        cluster.deliverOne(kind(QUERY_REPLY).and(from(5))); // 5 has finalized nothing
        Envelope finalize = cluster.deliverOne(kind(FINALIZE).and(to(5)));
        assertThat(finalize.message()).isEqualTo(new Finalize(epoch(2, 2), List.of(1L)));

        // 5 holds A@1.1 in slot 1, not 2.2's entry: it must not finalize by slot alone.
        FinalizeReply reply = (FinalizeReply) cluster.inFlight(kind(FINALIZE_REPLY).and(from(5))).get(0).message();
        assertThat(reply.missing()).containsExactly(1L);
        assertThat(reply.finalized()).isEmpty();
        assertThat(cluster.entry(5, 1)).isEqualTo(new Entry(epoch(1, 1), A, false));
        assertThat(cluster.applied(5)).isEmpty();

        // The leader answers with store then finalize under its own epoch.
        cluster.deliverAll();
        assertThat(cluster.sent(from(2).and(to(5)).and(storeAt(1)))).isNotEmpty();
        assertThat(cluster.entry(5, 1)).isEqualTo(new Entry(epoch(2, 2), B, true));
        assertThat(cluster.applied(5)).containsExactly(B);
    }

    @Test
    void duplicatedStoreOkFromOneFollowerDoesNotMakeASlotChosen() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        long a = cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(2)));
        cluster.duplicate(kind(STORE_OK).and(from(2)));
        assertThat(cluster.deliver(kind(STORE_OK))).isEqualTo(2);

        // The leader and 2, counted once each: 2 of 5.
        assertThat(cluster.entry(1, 1).finalized()).isFalse();
        assertThat(cluster.answer(a)).isEmpty();

        cluster.deliverOne(storeAt(1).and(to(3)));
        cluster.deliver(kind(STORE_OK));
        assertThat(cluster.entry(1, 1).finalized()).isTrue();
        assertThat(cluster.answer(a)).map(Apply::slot).hasValue(1L);
    }

    @Test
    void followerFarBehindCatchesUpInRoundsOfAtMostCatchUpSlotsMax() {
        ScenarioCluster cluster = scenarios.cluster(3, config -> config.withLimits(
                config.inflightSlotsMax(), config.storeBatchSlotsMax(), config.storeBatchBytesMax(),
                config.readSlotsMax(), 2, config.pendingCommandsMax()));
        cluster.electLeader(1);
        cluster.isolate(3);
        List<Command> commands = new ArrayList<>();
        for (int client = 11; client <= 15; client++) {
            commands.add(command(client, 1));
            cluster.submit(1, command(client, 1));
            cluster.deliverAll();
        }
        assertThat(cluster.finalizedLog(3)).isEmpty();

        cluster.heal();
        cluster.heartbeat(1);

        List<List<Long>> rounds = cluster.sent(from(1).and(to(3)).and(kind(FINALIZE))).stream()
                .map(envelope -> ((Finalize) envelope.message()).slots())
                .toList();
        assertThat(rounds).allSatisfy(slots -> assertThat(slots).hasSizeLessThanOrEqualTo(2));
        assertThat(rounds.get(0)).containsExactly(1L, 2L);
        assertThat(cluster.finalizedLog(3)).containsExactlyElementsOf(commands);
        assertThat(cluster.applied(3)).containsExactlyElementsOf(commands);
    }
}
