package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.OVERTHROW;
import static io.paxlog.api.message.MessageKind.OVERTHROW_OK;
import static io.paxlog.api.message.MessageKind.READ;
import static io.paxlog.api.message.MessageKind.STORE;
import static io.paxlog.api.message.MessageKind.STORE_OK;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.involving;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.storeAt;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.ELECTION_MAX_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static io.paxlog.sim.scenario.ScenarioCluster.epoch;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.core.Apply;
import io.paxlog.core.Entry;
import io.paxlog.core.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A new leader recovers the slots earlier leaders may have chosen (docs/protocol.md#becoming-leader):
 * what was chosen survives; what was not may vanish; the slot always ends finalized with one command
 * on every server.
 *
 * <p>Commands: A = c1#1, B = c2#1, D = c4#1, X = c9#1 in the traces.
 */
class TakeoverScenarioTest {

    static final Command A = command(1, 1);
    static final Command B = command(2, 1);
    static final Command D = command(4, 1);
    static final Command X = command(9, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void commandStoredOnAMajorityBeforeTheLeaderCrashedIsReproposedByTheTakeoverAndSurvives() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1); // 1.1
        cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(2))); // with 1's own durable copy, A is chosen
        cluster.crash(1); // before it heard 2's storeOk: nobody knows A is chosen
        cluster.drop(involving(1));
        assertThat(cluster.entry(2, 1)).isEqualTo(new Entry(epoch(1, 1), A, false));
        assertThat(cluster.entry(3, 1)).isNull();

        cluster.electLeader(3); // 2.3 with {2, 3}: reads slot 1, finds A on 2

        assertThat(cluster.sent(from(3).and(kind(STORE))))
                .extracting(Envelope::message)
                .containsOnly(new Store(epoch(2, 3), List.of(new SlotCommand(1, A))));
        assertThat(cluster.entry(2, 1)).isEqualTo(new Entry(epoch(2, 3), A, true));
        assertThat(cluster.entry(3, 1)).isEqualTo(new Entry(epoch(2, 3), A, true));

        cluster.restart(1);
        cluster.heartbeat(3);
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A);
            assertThat(cluster.applied(id)).as("server %d", id).containsExactly(A);
        }
    }

    @Test
    void commandStoredOnlyOnTheCrashedLeaderVanishesAndItsSlotIsFilledWithANoop() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.submit(1, A); // slot 1
        cluster.submit(1, B); // slot 2
        cluster.drop(storeAt(1)); // A reaches no follower: not chosen
        cluster.deliverOne(storeAt(2).and(to(2))); // B on {1, 2}: chosen
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.electLeader(3); // 2.3 with {2, 3}: lastUsedSlot 2; nobody there remembers slot 1

        assertThat(cluster.sent(from(3).and(kind(STORE))))
                .extracting(Envelope::message)
                .containsOnly(new Store(epoch(2, 3), List.of(new SlotCommand(1, Command.NOOP), new SlotCommand(2, B))));
        cluster.restart(1); // still holds A@1.1 in slot 1
        assertThat(cluster.entry(1, 1)).isEqualTo(new Entry(epoch(1, 1), A, false));
        cluster.heartbeat(3);
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(Command.NOOP, B);
        }
    }

    @Test
    void commandStoredOnlyOnTheCrashedLeaderMayBeReplacedByAnotherClientCommand() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.crash(1);
        cluster.drop(involving(1)); // its stores of A are lost: only its own disk holds A

        cluster.electLeader(2); // 2.2: lastUsedSlot 0, nothing to recover
        long d = cluster.submit(2, D);
        cluster.deliverAll();
        assertThat(cluster.answer(d)).map(Apply::slot).hasValue(1L);

        cluster.restart(1);
        assertThat(cluster.entry(1, 1)).isEqualTo(new Entry(epoch(1, 1), A, false));
        cluster.heartbeat(2); // catch-up: finalize(2.2, 1) is missing on 1, so D is stored there first
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(D);
        }
    }

    @Test
    void takeoverPicksTheCommandAcceptedAtTheHighestEpoch() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1); // 1.1
        cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(3))); // A@1.1 on {1, 3}
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.isolate(3);
        cluster.electLeader(2); // 2.2 with {2, 4, 5}: nothing to recover
        cluster.submit(2, B);
        cluster.deliverOne(storeAt(1).and(to(4))); // B@2.2 on {2, 4}
        cluster.crash(2);
        cluster.drop(involving(2));
        cluster.heal();

        cluster.electLeader(5); // 3.5 with {3, 4, 5}: reads A@1.1 on 3 and B@2.2 on 4

        assertThat(cluster.sent(from(5).and(kind(STORE))))
                .extracting(Envelope::message)
                .containsOnly(new Store(epoch(3, 5), List.of(new SlotCommand(1, B))));
        cluster.restart(1);
        cluster.restart(2);
        cluster.heartbeat(5);
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(B);
        }
    }

    @Test
    void commandChosenByTheOldLeaderWhileANewOneIsBeingElectedIsCarriedOverByTheNewLeader() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.deliverAll();

        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(2); // overthrow(2.2) is on its way to 1 and 3 ...
        long x = cluster.submit(1, X); // ... while 1 still leads and stores X in slot 2
        cluster.deliverOne(storeAt(2).and(to(3))); // 3 has not promised 2.2 yet: it stores X@1.1
        cluster.deliverOne(kind(STORE_OK).and(from(3))); // X chosen on {1, 3}: the client is answered
        assertThat(cluster.answer(x)).map(Apply::slot).hasValue(2L);

        cluster.deliverAll(); // 3 promises 2.2 reporting lastUsedSlot 2; 2 reads X there and keeps it
        assertThat(cluster.role(2)).isEqualTo(Role.LEADER);
        assertThat(cluster.role(1)).isEqualTo(Role.PASSIVE);
        for (int id = 1; id <= 3; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A, X);
        }
    }

    @Test
    void newLeaderReadsOnlyFromServersThatAcknowledgedItsOverthrowAndReadsALateAcknowledgerToo() {
        ScenarioCluster cluster = scenarios.cluster(5);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.deliver(storeAt(1).and(to(2).or(to(4)))); // A@1.1 on {1, 2, 4}: chosen
        cluster.submit(1, B);
        cluster.deliver(storeAt(2).and(to(2))); // B@1.1 on {1, 2}: not chosen
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(3); // overthrow(2.3)
        cluster.deliver(kind(OVERTHROW).and(to(4).or(to(5)))); // 2 has not heard yet
        cluster.deliver(kind(OVERTHROW_OK));
        assertThat(cluster.role(3)).isEqualTo(Role.LEADER); // with {3, 4, 5}: lastUsedSlot 1
        assertThat(cluster.inFlight(kind(READ))).extracting(Envelope::to).containsExactlyInAnyOrder(4, 5);

        // 2 promises late: only now may it be read.
        cluster.deliverOne(kind(OVERTHROW).and(to(2)));
        cluster.deliverOne(kind(OVERTHROW_OK).and(from(2)));
        assertThat(cluster.inFlight(kind(READ).and(to(2)))).hasSize(1);

        cluster.deliverAll();
        // B lay above every acknowledger's lastUsedSlot but 2's. 2's late promise raised the takeover's
        // last slot to 2 before the takeover ended (docs/membership.md#takeover), so B was read from 2
        // and re-proposed: as far as the new leader knows it may have been chosen.
        long d = cluster.submit(3, D);
        cluster.deliverAll();
        for (int id = 2; id <= 5; id++) {
            assertThat(cluster.finalizedLog(id)).as("server %d", id).containsExactly(A, B, D);
        }
        assertThat(cluster.answer(d)).map(Apply::slot).hasValue(3L);
    }

    @Test
    void farBehindNewLeaderRecoversALongLogInBoundedReadChunksThenServesItsQueuedClient() {
        ScenarioCluster cluster = scenarios.cluster(3, config -> config.withLimits(
                3, config.storeBatchSlotsMax(), config.storeBatchBytesMax(), 2, config.catchUpSlotsMax(),
                config.pendingCommandsMax())); // at most 3 slots in flight, reads of at most 2 slots
        cluster.electLeader(1);
        cluster.isolate(3);
        List<Command> commands = new ArrayList<>();
        for (int client = 11; client <= 17; client++) {
            commands.add(command(client, 1));
            cluster.submit(1, command(client, 1));
            cluster.deliverAll();
        }
        cluster.crash(1);
        cluster.heal();

        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(3);
        cluster.deliver(kind(OVERTHROW, OVERTHROW_OK));
        assertThat(cluster.role(3)).isEqualTo(Role.LEADER); // 2.3 with {2, 3}: lastUsedSlot 7, it holds none
        long d = cluster.submit(3, D); // waits: slot 8 is too far past the applied slot
        cluster.deliverAll();

        List<Read> reads = cluster.sent(from(3).and(kind(READ))).stream().map(e -> (Read) e.message()).toList();
        assertThat(reads).allSatisfy(read -> assertThat(read.toSlot() - read.fromSlot()).isLessThan(2));
        assertThat(reads).extracting(Read::fromSlot).containsExactly(1L, 3L, 5L, 7L);
        commands.add(D);
        assertThat(cluster.finalizedLog(2)).containsExactlyElementsOf(commands);
        assertThat(cluster.applied(3)).containsExactlyElementsOf(commands);
        assertThat(cluster.answer(d)).map(Apply::slot).hasValue(8L);
    }

    @Test
    void newLeaderAnswersAClientOnlyAfterEveryRecoveredSlotBelowItsCommandIsFinalized() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.deliverOne(storeAt(1).and(to(2))); // A chosen on {1, 2}
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(2);
        cluster.deliver(kind(OVERTHROW, OVERTHROW_OK));
        assertThat(cluster.role(2)).isEqualTo(Role.LEADER); // reading slot 1 from 3 is still under way

        long b = cluster.submit(2, B); // slot 2, once the takeover is done
        cluster.deliver(kind(STORE, STORE_OK));
        // Client commands wait for the end of the takeover: until then the last slot an earlier leader
        // may have used can still grow with promises (docs/membership.md#takeover).
        assertThat(cluster.entry(2, 2)).isNull();
        assertThat(cluster.applied(2)).isEmpty();
        assertThat(cluster.answer(b)).isEmpty();

        cluster.deliverAll(); // the read of slot 1 completes: A is stored again under 2.2
        assertThat(cluster.applied(2)).containsExactly(A, B);
        assertThat(cluster.answer(b)).map(Apply::slot).hasValue(2L);
    }
}
