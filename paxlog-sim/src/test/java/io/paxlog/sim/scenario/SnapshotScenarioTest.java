package io.paxlog.sim.scenario;

import static io.paxlog.api.message.MessageKind.READ;
import static io.paxlog.api.message.MessageKind.SNAPSHOT_CHUNK;
import static io.paxlog.api.message.MessageKind.SNAPSHOT_REQUEST;
import static io.paxlog.sim.scenario.Match.from;
import static io.paxlog.sim.scenario.Match.involving;
import static io.paxlog.sim.scenario.Match.kind;
import static io.paxlog.sim.scenario.Match.to;
import static io.paxlog.sim.scenario.ScenarioCluster.HEARTBEAT_MS;
import static io.paxlog.sim.scenario.ScenarioCluster.command;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshots between servers (issue 3, "installSnapshot"): a follower behind the leader's snapshot
 * fetches it chunk by chunk and resumes an interrupted transfer from the last chunk it received; a
 * new leader behind another server's snapshot fetches it before it reads the slots above; compacted
 * slots are never reported as empty.
 */
class SnapshotScenarioTest {

    static final int CHUNK_BYTES = 16;

    /** Mirrors the core's window (package-private there): chunks asked for per request. */
    static final class SnapshotTransferWindow {
        static final int CHUNKS = 8;
    }
    static final int SNAPSHOT_BYTES = 300; // 19 chunks of at most 16 bytes, in windows of 8

    @RegisterExtension
    final Scenarios scenarios = new Scenarios();

    private ScenarioCluster cluster() {
        return scenarios.cluster(3, config -> config.withSnapshotChunkBytes(CHUNK_BYTES));
    }

    private static List<Command> commands(int count) {
        List<Command> commands = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            commands.add(command(1, i));
        }
        return commands;
    }

    @Test
    void aFollowerBehindTheLeadersSnapshotFetchesItAndResumesAfterALostChunk() {
        ScenarioCluster cluster = cluster();
        cluster.electLeader(1);
        cluster.isolate(3);
        List<Command> written = commands(5);
        written.forEach(c -> cluster.submit(1, c));
        cluster.deliverAll();
        cluster.heartbeat(1); // finalizes on 2 as well
        assertThat(cluster.replica(1).appliedSlot()).isEqualTo(5);
        long applied = cluster.replica(1).appliedSlot();
        Snapshot snapshot = cluster.compact(1, SNAPSHOT_BYTES);
        assertThat(cluster.replica(1).snapshotSlot()).isEqualTo(applied);
        assertThat(cluster.entry(1, 1)).as("compacted slots are gone from memory").isNull();

        cluster.heal();
        cluster.advance(HEARTBEAT_MS);
        cluster.tick(1); // query
        cluster.deliver(kind(io.paxlog.api.message.MessageKind.QUERY).and(to(3)));
        cluster.deliver(from(3).and(to(1))); // queryReply: 3 is at slot 1, below the snapshot: offer
        Envelope offer = cluster.deliverOne(kind(SNAPSHOT_CHUNK).and(to(3)));
        assertThat(((SnapshotChunk) offer.message()).isOffer()).isTrue();

        // 3 asks for a window of 8 chunks. Two arrive, the third is lost, the other five arrive.
        cluster.deliverOne(kind(SNAPSHOT_REQUEST).and(to(1)));
        assertThat(cluster.inFlight(kind(SNAPSHOT_CHUNK).and(to(3)))).hasSize(SnapshotTransferWindow.CHUNKS);
        cluster.deliverOne(kind(SNAPSHOT_CHUNK).and(to(3)));
        cluster.deliverOne(kind(SNAPSHOT_CHUNK).and(to(3)));
        Envelope lost = cluster.inFlight(kind(SNAPSHOT_CHUNK).and(to(3))).get(0);
        cluster.drop(envelope -> envelope == lost);
        cluster.deliver(kind(SNAPSHOT_CHUNK).and(to(3)));
        assertThat(cluster.inFlight(kind(SNAPSHOT_REQUEST))).as("the window is not complete: nothing asked yet").isEmpty();
        assertThat(cluster.installs()).isEmpty();

        // 3's timer asks again from the offset it reached, not from the start.
        cluster.advance(HEARTBEAT_MS);
        cluster.tick(3);
        List<Envelope> again = cluster.inFlight(kind(SNAPSHOT_REQUEST).and(from(3)));
        assertThat(again).hasSize(1);
        assertThat(((SnapshotRequest) again.get(0).message()).offset()).as("from the lost chunk on")
                .isEqualTo(2L * CHUNK_BYTES);
        assertThat(((SnapshotRequest) again.get(0).message()).slot()).isEqualTo(snapshot.slot());

        cluster.deliver(kind(SNAPSHOT_REQUEST, SNAPSHOT_CHUNK));
        assertThat(cluster.installs()).containsExactly(3);
        assertThat(cluster.replica(3).snapshotSlot()).isEqualTo(applied);
        assertThat(cluster.replica(3).appliedSlot()).isEqualTo(applied);
        assertThat(cluster.applied(3)).isEqualTo(cluster.applied(1));
        long chunksSent = cluster.sent(kind(SNAPSHOT_CHUNK).and(to(3))).size();
        assertThat(chunksSent).as("the offer, 19 chunks, and one window again after the loss, not the whole snapshot")
                .isLessThan(1 + 19 + SnapshotTransferWindow.CHUNKS + 1);

        // And it goes on from there like any server. (Its tick above also found its election timer
        // expired, since a scenario server's clock moves only when it is ticked: it may lead now.)
        cluster.deliverAll();
        int leader = cluster.role(1) == Role.LEADER ? 1 : 3;
        assertThat(cluster.role(leader)).isEqualTo(Role.LEADER);
        Command later = command(2, 1);
        long request = cluster.submit(leader, later);
        cluster.deliverAll();
        cluster.heartbeat(leader);
        assertThat(cluster.answer(request)).isPresent();
        assertThat(cluster.applied(3)).endsWith(later);
        assertThat(cluster.applied(1)).endsWith(later);
        assertThat(cluster.finalizedLog(3)).isEqualTo(cluster.finalizedLog(1));
    }

    @Test
    void aNewLeaderBehindAnotherServersSnapshotFetchesItBeforeReadingAbove() {
        ScenarioCluster cluster = cluster();
        cluster.electLeader(1);
        cluster.isolate(3);
        List<Command> written = commands(4);
        written.forEach(c -> cluster.submit(1, c));
        cluster.deliverAll();
        cluster.heartbeat(1);
        long applied = cluster.replica(2).appliedSlot();
        assertThat(applied).isEqualTo(cluster.replica(1).appliedSlot());
        cluster.compact(1, SNAPSHOT_BYTES);
        cluster.compact(2, SNAPSHOT_BYTES);
        // A command stored on 1 and 2 above the snapshot, not finalized yet: the new leader must find it.
        Command pending = command(7, 1);
        cluster.submit(1, pending);
        cluster.deliver(kind(io.paxlog.api.message.MessageKind.STORE).and(to(2)));
        cluster.crash(1);
        cluster.drop(involving(1));
        cluster.heal();
        cluster.isolate(1);

        cluster.electLeader(3);
        assertThat(cluster.installs()).as("3 fetched 2's snapshot").containsExactly(3);
        OverthrowOk ok = (OverthrowOk) cluster.delivered(kind(io.paxlog.api.message.MessageKind.OVERTHROW_OK)
                .and(from(2)).and(to(3))).get(0).message();
        assertThat(ok.snapshotSlot()).isEqualTo(applied);
        for (Envelope read : cluster.sent(kind(READ).and(from(3)))) {
            assertThat(((Read) read.message()).fromSlot()).as("reads start above the snapshot").isGreaterThan(applied);
        }
        assertThat(cluster.role(3)).isEqualTo(Role.LEADER);
        cluster.heartbeat(3);
        assertThat(cluster.finalizedLog(3).subList(0, (int) applied + 1))
                .as("the snapshot's commands, then the pending one the takeover found")
                .isEqualTo(cluster.finalizedLog(2).subList(0, (int) applied + 1));
        assertThat(cluster.finalizedLog(3).get((int) applied)).isEqualTo(pending);
    }

    @Test
    void aCompactedSlotIsReportedThroughTheSnapshotSlotNeverAsEmpty() {
        ScenarioCluster cluster = cluster();
        cluster.electLeader(1);
        commands(3).forEach(c -> cluster.submit(1, c));
        cluster.deliverAll();
        cluster.heartbeat(1);
        long applied = cluster.replica(2).appliedSlot();
        cluster.compact(2, SNAPSHOT_BYTES);

        cluster.advance(ScenarioCluster.ELECTION_MAX_MS);
        cluster.campaign(3); // overthrow from 3
        cluster.deliver(kind(io.paxlog.api.message.MessageKind.OVERTHROW).and(to(2)));
        cluster.deliver(kind(io.paxlog.api.message.MessageKind.OVERTHROW_OK).and(from(2)));
        // 3 finalized everything too, so it needs no snapshot and reads from its first unfinalized slot;
        // feed 2 a read that reaches down into the compacted range and look at the answer.
        Envelope read = new Envelope(3, 2, new Read(cluster.replica(3).promised(), 1, applied + 2));
        cluster.inject(read);
        cluster.deliverOne(kind(READ).and(to(2)));
        Envelope reply = cluster.deliverOne(kind(io.paxlog.api.message.MessageKind.READ_REPLY).and(from(2)));
        ReadReply answer = (ReadReply) reply.message();
        assertThat(answer.snapshotSlot()).isEqualTo(applied);
        assertThat(answer.coversCompacted()).isTrue();
        assertThat(answer.slots()).allSatisfy(state -> assertThat(state.slot()).isGreaterThan(applied));
    }
}
