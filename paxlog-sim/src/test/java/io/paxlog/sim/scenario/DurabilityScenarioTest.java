package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.OVERTHROW;
import static io.paxlog.api.message.MessageKind.OVERTHROW_OK;
import static io.paxlog.api.message.MessageKind.READ;
import static io.paxlog.api.message.MessageKind.READ_REPLY;
import static io.paxlog.api.message.MessageKind.STORE;
import static io.paxlog.api.message.MessageKind.STORE_OK;
import static io.paxlog.api.message.MessageKind.FINALIZE;
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
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.core.Role;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rule D (docs/protocol.md#rule-d): a reply that depends on a change to
 * {@code promised} or to an entry leaves only once that change is durable. Each scenario holds a
 * disk's writes and shows the reply appears only after {@code persisted(id)}.
 *
 * <p>Commands: A = c1#1, B = c2#1 in the traces.
 */
class DurabilityScenarioTest {

    static final Command A = command(1, 1);
    static final Command B = command(2, 1);

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    @Test
    void overthrowOkLeavesOnlyAfterThePromiseIsDurable() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.holdWrites(2);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1);
        cluster.deliverOne(kind(OVERTHROW).and(to(2)));

        assertThat(cluster.replica(2).promised()).isEqualTo(epoch(1, 1)); // promised in memory ...
        assertThat(cluster.pendingWrites(2)).extracting(PersistBatch::promised).containsExactly(epoch(1, 1));
        assertThat(cluster.inFlight(from(2))).isEmpty(); // ... but not told to anyone

        cluster.persist(2);
        assertThat(cluster.durablePromised(2)).isEqualTo(epoch(1, 1));
        assertThat(cluster.inFlight(from(2))).containsExactly(new Envelope(2, 1, new OverthrowOk(epoch(1, 1), 0)));
    }

    @Test
    void serverThatCrashesBeforeItsPromiseIsDurableForgetsItHavingPromisedNobody() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.holdWrites(2);
        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(1);
        cluster.deliverOne(kind(OVERTHROW).and(to(2)));

        cluster.crash(2);
        cluster.restart(2);
        assertThat(cluster.replica(2).promised()).isEqualTo(Epoch.ZERO);
        // Its pre-vote grant went out, but that promised nothing; no promise of 1.1 ever left it.
        assertThat(cluster.sent(from(2)).stream().map(e -> e.message().kind()))
                .containsOnly(io.paxlog.api.message.MessageKind.PRE_OVERTHROW_REPLY);
    }

    @Test
    void storeOkLeavesOnlyAfterTheStoredEntryIsDurableBatchByBatch() {
        ScenarioCluster cluster = scenarios.cluster(3);
        cluster.electLeader(1);
        cluster.holdWrites(2);
        cluster.submit(1, A); // slot 1
        cluster.submit(1, B); // slot 2, in a second store
        cluster.deliverTo(2, STORE);

        List<PersistBatch> pending = cluster.pendingWrites(2);
        assertThat(pending).extracting(PersistBatch::entries).containsExactly(
                List.of(new StoredEntry(1, epoch(1, 1), A)), List.of(new StoredEntry(2, epoch(1, 1), B)));
        assertThat(cluster.inFlight(from(2).and(kind(STORE_OK)))).isEmpty();

        cluster.persist(2, pending.get(0).id()); // slot 1 durable, slot 2 not yet
        assertThat(cluster.inFlight(from(2).and(kind(STORE_OK))))
                .containsExactly(new Envelope(2, 1, new StoreOk(epoch(1, 1), List.of(1L))));

        cluster.persist(2);
        assertThat(cluster.inFlight(from(2).and(kind(STORE_OK)))).containsExactly(
                new Envelope(2, 1, new StoreOk(epoch(1, 1), List.of(1L))),
                new Envelope(2, 1, new StoreOk(epoch(1, 1), List.of(2L))));
    }

    @Test
    void readReplyWaitsUntilEveryEarlierWriteOfTheReaderIsDurable() {
        // Reads of one slot at a time, so the takeover's re-proposal of slot 1 goes out with the read of slot 2.
        ScenarioCluster cluster = scenarios.cluster(3, config -> config.withLimits(config.inflightSlotsMax(),
                config.storeBatchSlotsMax(), config.storeBatchBytesMax(), 1, config.catchUpSlotsMax(),
                config.pendingCommandsMax()));
        cluster.electLeader(1);
        cluster.submit(1, A);
        cluster.submit(1, B);
        cluster.deliver(kind(STORE, STORE_OK)); // A and B stored everywhere, chosen on 1 ...
        cluster.drop(kind(FINALIZE)); // ... but 2 and 3 never learn it
        cluster.crash(1);
        cluster.drop(involving(1));

        cluster.advance(ELECTION_MAX_MS);
        cluster.campaign(3);
        cluster.deliver(kind(OVERTHROW, OVERTHROW_OK)); // 3 leads at 2.3 with {2, 3}; reading slot 1 from 2
        assertThat(cluster.role(3)).isEqualTo(Role.LEADER);
        cluster.deliverOne(kind(READ).and(to(2)));
        cluster.deliverOne(kind(READ_REPLY).and(from(2))); // A re-proposed at 2.3; slot 2 read next

        // 2 gets the store of slot 1 before the read of slot 2, and its disk is slow.
        cluster.holdWrites(2);
        cluster.deliverOne(storeAt(1).and(to(2)));
        cluster.deliverOne(kind(READ).and(to(2)));
        assertThat(cluster.inFlight(from(2).and(kind(STORE_OK, READ_REPLY)))).isEmpty();

        cluster.persist(2);
        assertThat(cluster.inFlight(from(2).and(kind(STORE_OK, READ_REPLY))))
                .extracting(envelope -> envelope.message().kind())
                .containsExactly(STORE_OK, READ_REPLY);
        assertThat(cluster.durableEntry(2, 1)).isEqualTo(new SlotState(1, epoch(2, 3), A, false));

        cluster.autoWrites(2);
        cluster.deliverAll();
        assertThat(cluster.finalizedLog(2)).containsExactly(A, B);
        assertThat(cluster.finalizedLog(3)).containsExactly(A, B);
    }
}
