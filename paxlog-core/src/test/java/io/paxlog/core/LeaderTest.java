package io.paxlog.core;

import static io.paxlog.core.Fixture.ELECTION_MAX;
import static io.paxlog.core.Fixture.HEARTBEAT;
import static io.paxlog.core.Fixture.config;
import static io.paxlog.core.Fixture.leader;
import static io.paxlog.core.Fixture.sent;
import static io.paxlog.core.Fixture.settle;
import static io.paxlog.core.Fixture.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replication, batching, pipelining, catch-up and takeover, one leader's messages at a time. */
class LeaderTest {

    private static Command command(long sequence, int bytes) {
        return new Command(4, sequence, new byte[bytes]);
    }

    private static List<Store> stores(List<Effects> effects, int to) {
        List<Store> stores = new ArrayList<>();
        for (Envelope envelope : sent(effects, Store.class, to)) {
            stores.add((Store) envelope.message());
        }
        return stores;
    }

    @Test
    void aTakeoverRestoresSlotsInStoresBoundedBySlotsAndBytes() {
        ReplicaConfig config = config(1, 3).withLimits(64, 3, 40, 16, 16, 64);
        Replica replica = started(config);
        Fixture.campaign(replica, ELECTION_MAX);
        Epoch epoch = replica.ownEpoch();
        List<Effects> effects = settle(replica, replica.receive(new Envelope(2, 1, new OverthrowOk(epoch, 7))));
        assertThat(sent(effects, Read.class, 2)).extracting(Envelope::message).containsExactly(new Read(epoch, 1, 7));
        List<SlotState> remembered = new ArrayList<>();
        for (long slot = 1; slot <= 7; slot++) {
            remembered.add(new SlotState(slot, new Epoch(0, 2), command(slot, slot == 4 ? 30 : 1), false));
        }
        List<Effects> after = settle(replica, replica.receive(new Envelope(2, 1,
                new ReadReply(epoch, epoch, 1, 7, remembered))));
        List<Store> stores = stores(after, 2);
        assertThat(stores).flatExtracting(Store::entries).extracting(SlotCommand::slot)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        for (Store store : stores) {
            assertThat(store.entries()).hasSizeLessThanOrEqualTo(3);
            int bytes = store.entries().stream().mapToInt(e -> e.command().sizeBytes()).sum();
            assertThat(bytes <= 40 || store.entries().size() == 1).as("bytes %d in %s", bytes, store).isTrue();
        }
        assertThat(stores.stream().filter(s -> s.entries().size() == 1 && s.entries().get(0).slot() == 4))
                .as("the 46-byte command travels alone").hasSize(1);
    }

    @Test
    void theTakeoverLearnsAFinalizedSlotWithoutStoringItAgain() {
        Replica replica = started(config(1, 3));
        Fixture.campaign(replica, ELECTION_MAX);
        Epoch epoch = replica.ownEpoch();
        settle(replica, replica.receive(new Envelope(2, 1, new OverthrowOk(epoch, 2))));
        Command chosen = command(1, 1);
        Command pending = command(2, 1);
        List<Effects> effects = settle(replica, replica.receive(new Envelope(2, 1, new ReadReply(epoch, epoch, 1, 2,
                List.of(new SlotState(1, new Epoch(0, 3), chosen, true), new SlotState(2, new Epoch(0, 3), pending, false))))));
        assertThat(replica.entry(1)).isEqualTo(new Entry(new Epoch(0, 3), chosen, true));
        assertThat(effects.stream().flatMap(e -> e.persist().stream()).flatMap(b -> b.finalizedSlots().stream()))
                .contains(1L);
        assertThat(stores(effects, 2)).flatExtracting(Store::entries)
                .containsExactly(new SlotCommand(2, pending));
        assertThat(effects.stream().flatMap(e -> e.apply().stream())).containsExactly(new Apply(1, chosen, 0));
    }

    @Test
    void theTakeoverResendsItsReadAndItsOverthrowToServersThatHaveNotAnswered() {
        Replica replica = started(config(1, 5));
        Fixture.campaign(replica, ELECTION_MAX);
        Epoch epoch = replica.ownEpoch();
        settle(replica, replica.receive(new Envelope(2, 1, new OverthrowOk(epoch, 3))));
        settle(replica, replica.receive(new Envelope(3, 1, new OverthrowOk(epoch, 3))));
        assertThat(replica.role()).isEqualTo(Role.LEADER);
        settle(replica, replica.receive(new Envelope(2, 1, new ReadReply(epoch, epoch, 1, 3, List.of()))));
        List<Effects> tick = settle(replica, replica.tick(ELECTION_MAX + HEARTBEAT));
        assertThat(sent(tick, Read.class, 3)).as("3 promised but has not answered the read").hasSize(1);
        assertThat(sent(tick, Read.class, 2)).as("2 answered").isEmpty();
        assertThat(sent(tick, Read.class, 4)).as("4 never promised: may not be read").isEmpty();
        assertThat(sent(tick, Overthrow.class, 4)).as("asked again to promise").hasSize(1);
        assertThat(sent(tick, Overthrow.class, 2)).isEmpty();

        settle(replica, replica.receive(new Envelope(4, 1, new OverthrowOk(epoch, 0))));
        List<Effects> late = settle(replica, replica.tick(ELECTION_MAX + 2 * HEARTBEAT));
        assertThat(sent(late, Read.class, 4)).as("read as soon as it promised").isNotEmpty();
    }

    @Test
    void aFullPipelineAdmitsTheNextCommandOnlyWhenASlotIsChosen() {
        Replica replica = leader(config(1, 3).withLimits(2, 16, 1 << 20, 16, 16, 8));
        Epoch epoch = replica.ownEpoch();
        List<Effects> first = settle(replica, replica.submit(new ClientRequest(1, command(1, 1))));
        settle(replica, replica.submit(new ClientRequest(2, command(2, 1))));
        List<Effects> third = settle(replica, replica.submit(new ClientRequest(3, command(3, 1))));
        assertThat(stores(first, 2)).hasSize(1);
        assertThat(stores(third, 2)).as("two slots in flight: the third waits").isEmpty();
        assertThat(third.stream().flatMap(e -> e.refusals().stream())).isEmpty();
        List<Effects> chosen = settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L)))));
        assertThat(stores(chosen, 2)).flatExtracting(Store::entries).extracting(SlotCommand::command)
                .containsExactly(command(3, 1));
        assertThat(chosen.stream().flatMap(e -> e.apply().stream())).containsExactly(new Apply(1, command(1, 1), 1));
    }

    @Test
    void aChosenSlotIsFinalizedOnThePeersThatStoredIt() {
        Replica replica = leader(config(1, 5));
        Epoch epoch = replica.ownEpoch();
        settle(replica, replica.submit(new ClientRequest(1, command(1, 1))));
        settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L)))));
        List<Effects> chosen = settle(replica, replica.receive(new Envelope(3, 1, new StoreOk(epoch, List.of(1L)))));
        assertThat(replica.entry(1).finalized()).isTrue();
        assertThat(sent(chosen, Finalize.class, 2)).extracting(Envelope::message).containsExactly(new Finalize(epoch, List.of(1L)));
        assertThat(sent(chosen, Finalize.class, 3)).hasSize(1);
        assertThat(sent(chosen, Finalize.class, 4)).as("4 has not stored it").isEmpty();
        List<Effects> late = settle(replica, replica.receive(new Envelope(4, 1, new StoreOk(epoch, List.of(1L)))));
        assertThat(sent(late, Finalize.class, 4)).as("a late store is finalized at once").hasSize(1);
    }

    @Test
    void aLaggingFollowerIsFinalizedThenStoredInChunksAndTheAnswerToEachChunkSendsTheNext() {
        Replica replica = leader(config(1, 3).withLimits(64, 16, 1 << 20, 16, 2, 64));
        Epoch epoch = replica.ownEpoch();
        for (int i = 1; i <= 5; i++) {
            settle(replica, replica.submit(new ClientRequest(i, command(i, 1))));
            settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of((long) i)))));
        }
        assertThat(replica.firstUnfinalizedSlot()).isEqualTo(6);
        List<Effects> query = settle(replica, replica.receive(new Envelope(3, 1, new QueryReply(epoch, epoch, 1))));
        assertThat(sent(query, Finalize.class, 3)).extracting(Envelope::message).containsExactly(new Finalize(epoch, List.of(1L, 2L)));

        List<Effects> answer = settle(replica, replica.receive(new Envelope(3, 1,
                new FinalizeReply(epoch, epoch, List.of(1L), List.of(2L), 2))));
        assertThat(stores(answer, 3)).flatExtracting(Store::entries).containsExactly(new SlotCommand(2, command(2, 1)));
        assertThat(sent(answer, Finalize.class, 3)).extracting(Envelope::message)
                .containsExactly(new Finalize(epoch, List.of(3L, 4L)));

        List<Effects> duplicate = settle(replica, replica.receive(new Envelope(3, 1,
                new FinalizeReply(epoch, epoch, List.of(1L), List.of(2L), 2))));
        assertThat(sent(duplicate, Finalize.class, 3)).as("a duplicated answer starts no second chain").isEmpty();

        List<Effects> stored = settle(replica, replica.receive(new Envelope(3, 1, new StoreOk(epoch, List.of(2L)))));
        assertThat(sent(stored, Finalize.class, 3)).extracting(Envelope::message).containsExactly(new Finalize(epoch, List.of(2L)));

        List<Effects> last = settle(replica, replica.receive(new Envelope(3, 1,
                new FinalizeReply(epoch, epoch, List.of(3L, 4L), List.of(), 5))));
        assertThat(sent(last, Finalize.class, 3)).extracting(Envelope::message).containsExactly(new Finalize(epoch, List.of(5L)));
        List<Effects> done = settle(replica, replica.receive(new Envelope(3, 1,
                new FinalizeReply(epoch, epoch, List.of(5L), List.of(), 6))));
        assertThat(sent(done, Finalize.class, 3)).as("caught up").isEmpty();
    }

    @Test
    void aStalledCatchUpRestartsFromTheNextHeartbeatAnswer() {
        Replica replica = leader(config(1, 3).withLimits(64, 16, 1 << 20, 16, 2, 64));
        Epoch epoch = replica.ownEpoch();
        for (int i = 1; i <= 3; i++) {
            settle(replica, replica.submit(new ClientRequest(i, command(i, 1))));
            settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of((long) i)))));
        }
        settle(replica, replica.receive(new Envelope(3, 1, new QueryReply(epoch, epoch, 1))));
        List<Effects> soon = settle(replica, replica.receive(new Envelope(3, 1, new QueryReply(epoch, epoch, 1))));
        assertThat(sent(soon, Finalize.class, 3)).as("the chain is still running").isEmpty();
        replica.tick(ELECTION_MAX + HEARTBEAT);
        List<Effects> stalled = settle(replica, replica.receive(new Envelope(3, 1, new QueryReply(epoch, epoch, 1))));
        assertThat(sent(stalled, Finalize.class, 3)).as("its messages were lost: start again").hasSize(1);
    }

    @Test
    void aLeaderAppliesInSlotOrderAndAnswersEachClientAtItsSlot() {
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        settle(replica, replica.submit(new ClientRequest(10, command(1, 1))));
        settle(replica, replica.submit(new ClientRequest(11, command(2, 1))));
        List<Effects> second = settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(2L)))));
        assertThat(second.stream().flatMap(e -> e.apply().stream())).as("slot 1 is not chosen yet").isEmpty();
        List<Effects> first = settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L)))));
        assertThat(first.stream().flatMap(e -> e.apply().stream()))
                .containsExactly(new Apply(1, command(1, 1), 10), new Apply(2, command(2, 1), 11));
    }

    @Test
    void aDuplicatedAcknowledgementDoesNotCountTwice() {
        Replica replica = leader(config(1, 5));
        Epoch epoch = replica.ownEpoch();
        settle(replica, replica.submit(new ClientRequest(1, command(1, 1))));
        for (int i = 0; i < 3; i++) {
            settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L)))));
        }
        assertThat(replica.entry(1).finalized()).isFalse();
    }

    @Test
    void anIdenticalRestoreWritesNothing() {
        Replica replica = started(config(2, 3));
        Epoch epoch = new Epoch(1, 1);
        Store store = new Store(epoch, List.of(new SlotCommand(1, command(1, 1))));
        settle(replica, replica.receive(new Envelope(1, 2, store)));
        Effects again = replica.receive(new Envelope(1, 2, store));
        assertThat(again.persist()).isEmpty();
        Effects newer = replica.receive(new Envelope(3, 2, new Store(new Epoch(2, 3), store.entries())));
        assertThat(newer.persist()).extracting(PersistBatch::entries).isNotEmpty();
        assertThat(replica.entry(1).epoch()).isEqualTo(new Epoch(2, 3));
    }

    @Test
    void commandsSubmittedInOneStepShareOneWriteAndOneStorePerPeer() {
        Replica replica = leader(config(1, 3));
        Epoch epoch = replica.ownEpoch();
        Effects step = replica.submitAll(List.of(new ClientRequest(1, command(1, 1)),
                new ClientRequest(2, command(2, 1)), new ClientRequest(3, command(3, 1))));
        assertThat(step.persist()).as("one write for the three").hasSize(1);
        assertThat(step.persist().get(0).entries()).extracting(StoredEntry::slot).containsExactly(1L, 2L, 3L);
        List<Effects> all = settle(replica, step);
        for (int peer : List.of(2, 3)) {
            assertThat(stores(all, peer)).as("one store to server %d", peer).hasSize(1);
            assertThat(stores(all, peer)).flatExtracting(Store::entries).extracting(SlotCommand::command)
                    .containsExactly(command(1, 1), command(2, 1), command(3, 1));
        }
        List<Effects> chosen = settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L, 2L, 3L)))));
        assertThat(chosen.stream().flatMap(e -> e.apply().stream())).containsExactly(new Apply(1, command(1, 1), 1),
                new Apply(2, command(2, 1), 2), new Apply(3, command(3, 1), 3));
    }

    @Test
    void aBatchOverThePipelineWaitsInTheQueueLikeCommandsSubmittedOneByOne() {
        Replica replica = leader(config(1, 3).withLimits(2, 16, 1 << 20, 16, 16, 8));
        Epoch epoch = replica.ownEpoch();
        List<Effects> step = settle(replica, replica.submitAll(List.of(new ClientRequest(1, command(1, 1)),
                new ClientRequest(2, command(2, 1)), new ClientRequest(3, command(3, 1)))));
        assertThat(stores(step, 2)).flatExtracting(Store::entries).extracting(SlotCommand::slot).containsExactly(1L, 2L);
        assertThat(step.stream().flatMap(e -> e.refusals().stream())).isEmpty();
        List<Effects> chosen = settle(replica, replica.receive(new Envelope(2, 1, new StoreOk(epoch, List.of(1L)))));
        assertThat(stores(chosen, 2)).flatExtracting(Store::entries).extracting(SlotCommand::command)
                .containsExactly(command(3, 1));
    }

    @Test
    void aServerThatDoesNotLeadRefusesEveryCommandOfABatch() {
        Replica replica = started(config(1, 3));
        Effects step = replica.submitAll(List.of(new ClientRequest(1, command(1, 1)), new ClientRequest(2, command(2, 1))));
        assertThat(step.persist()).isEmpty();
        assertThat(step.refusals()).extracting(Refusal::requestId).containsExactly(1L, 2L);
        assertThat(step.refusals()).extracting(Refusal::reason).containsOnly(Refusal.Reason.NOT_LEADER);
    }
}
