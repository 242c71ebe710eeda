package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The RPC rules of docs/protocol.md#rpcs, one message in, the effects out, on a passive server 3 of 3. */
class AcceptorRulesTest {

    private static final Epoch E1 = new Epoch(1, 1);
    private static final Epoch E2 = new Epoch(2, 2);
    private static final Command A = new Command(7, 1, new byte[] {1});
    private static final Command B = new Command(8, 1, new byte[] {2});

    private Replica replica;

    @BeforeEach
    void startServer3() {
        replica = new Replica(ReplicaConfig.defaults(3, List.of(1, 2, 3)), RecoveredState.EMPTY,
                new SplittableRandom(1), 0);
        replica.start();
    }

    private Effects from(int sender, Message message) {
        return replica.receive(new Envelope(sender, 3, message));
    }

    private static Message only(Effects effects) {
        assertThat(effects.send()).hasSize(1);
        return effects.send().get(0).message();
    }

    @Test
    void overthrowAboveThePromiseIsPromisedDurablyBeforeTheReplyLeaves() {
        Effects effects = from(2, new Overthrow(E2));
        assertThat(effects.send()).as("no reply before the promise is durable").isEmpty();
        assertThat(effects.persist()).singleElement().extracting(PersistBatch::promised).isEqualTo(E2);
        assertThat(replica.promised()).isEqualTo(E2);

        Effects durable = replica.persisted(effects.persist().get(0).id());
        assertThat(only(durable)).isEqualTo(new OverthrowOk(E2, 0));
        assertThat(durable.send().get(0).to()).isEqualTo(2);
    }

    @Test
    void overthrowBelowThePromiseIsRejectedAtOnceWithThePromise() {
        replica.persisted(from(2, new Overthrow(E2)).persist().get(0).id());
        Effects effects = from(1, new Overthrow(E1));
        assertThat(only(effects)).isEqualTo(new Rejected(E1, E2, MessageKind.OVERTHROW));
        assertThat(effects.persist()).isEmpty();
        assertThat(replica.promised()).isEqualTo(E2);
    }

    @Test
    void duplicatedOverthrowIsAnsweredAgainButOnlyOnceDurable() {
        Effects first = from(2, new Overthrow(E2));
        Effects duplicate = from(2, new Overthrow(E2));
        assertThat(duplicate.persist()).as("nothing new to write").isEmpty();
        assertThat(duplicate.send()).as("still waits for the first write").isEmpty();
        Effects durable = replica.persisted(first.persist().get(0).id());
        assertThat(durable.send()).extracting(Envelope::message)
                .containsExactly(new OverthrowOk(E2, 0), new OverthrowOk(E2, 0));
    }

    @Test
    void storeBelowThePromiseIsRejected() {
        replica.persisted(from(2, new Overthrow(E2)).persist().get(0).id());
        Effects effects = from(1, new Store(E1, List.of(new SlotCommand(1, A))));
        assertThat(only(effects)).isEqualTo(new Rejected(E1, E2, MessageKind.STORE));
        assertThat(replica.entry(1)).isNull();
    }

    @Test
    void storeAtOrAboveThePromiseRaisesItAndAcknowledgesAfterTheWrite() {
        Effects effects = from(1, new Store(E1, List.of(new SlotCommand(1, A), new SlotCommand(3, B))));
        assertThat(effects.send()).isEmpty();
        PersistBatch batch = effects.persist().get(0);
        assertThat(batch.promised()).isEqualTo(E1);
        assertThat(batch.entries()).hasSize(2);
        assertThat(replica.entry(3)).isEqualTo(new Entry(E1, B, false));
        assertThat(replica.lastUsedSlot()).isEqualTo(3);
        assertThat(only(replica.persisted(batch.id()))).isEqualTo(new StoreOk(E1, List.of(1L, 3L)));
    }

    @Test
    void finalizeNeedsTheExactAcceptedEpochNotJustTheSlot() {
        replica.persisted(from(1, new Store(E1, List.of(new SlotCommand(1, A)))).persist().get(0).id());
        Effects wrongEpoch = from(2, new Finalize(E2, List.of(1L)));
        assertThat(only(wrongEpoch)).isEqualTo(new FinalizeReply(E2, E1, List.of(), List.of(1L), 1));
        assertThat(replica.entry(1).finalized()).isFalse();

        Effects rightEpoch = from(1, new Finalize(E1, List.of(1L, 2L)));
        assertThat(only(rightEpoch)).isEqualTo(new FinalizeReply(E1, E1, List.of(1L), List.of(2L), 2));
        assertThat(replica.entry(1).finalized()).isTrue();
        assertThat(rightEpoch.persist().get(0).finalizedSlots()).containsExactly(1L);
        assertThat(rightEpoch.apply()).containsExactly(new Apply(1, A, 0));
    }

    @Test
    void aFinalizedSlotStaysFinalizedWhateverEpochAsks() {
        replica.persisted(from(1, new Store(E1, List.of(new SlotCommand(1, A)))).persist().get(0).id());
        from(1, new Finalize(E1, List.of(1L)));
        Effects later = from(2, new Finalize(E2, List.of(1L)));
        assertThat(((FinalizeReply) only(later)).finalized()).containsExactly(1L);
        Effects restore = from(2, new Store(E2, List.of(new SlotCommand(1, A))));
        assertThat(restore.persist()).extracting(PersistBatch::entries).allSatisfy(e -> assertThat(e).isEmpty());
        assertThat(replica.entry(1)).isEqualTo(new Entry(E1, A, true));
    }

    @Test
    void storingADifferentCommandInAFinalizedSlotIsABugThatFailsLoudly() {
        replica.persisted(from(1, new Store(E1, List.of(new SlotCommand(1, A)))).persist().get(0).id());
        from(1, new Finalize(E1, List.of(1L)));
        assertThatThrownBy(() -> from(2, new Store(E2, List.of(new SlotCommand(1, B)))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("slot 1 is finalized");
    }

    @Test
    void readReportsWhatIsHeldOnceDurable() {
        Effects stored = from(1, new Store(E1, List.of(new SlotCommand(2, A))));
        Effects read = from(2, new Read(E2, 1, 5));
        assertThat(read.send()).as("reports an entry whose write is not durable yet").isEmpty();
        Effects durable = replica.persisted(stored.persist().get(0).id());
        assertThat(durable.send()).extracting(Envelope::message).containsExactly(
                new StoreOk(E1, List.of(2L)),
                new ReadReply(E2, E1, 1, 5, List.of(new SlotState(2, E1, A, false))));
    }

    @Test
    void queryAnswersTheFirstUnfinalizedSlotAndThePromise() {
        assertThat(only(from(1, new Query(E1)))).isEqualTo(new QueryReply(E1, Epoch.ZERO, 1));
    }

    @Test
    void recoveredStateIsWhereTheServerResumes() {
        Replica restarted = new Replica(ReplicaConfig.defaults(3, List.of(1, 2, 3)),
                new RecoveredState(E2, List.of(new SlotState(1, E1, A, true), new SlotState(2, E2, B, false))),
                new SplittableRandom(1), 0);
        Effects start = restarted.start();
        assertThat(restarted.promised()).isEqualTo(E2);
        assertThat(restarted.firstUnfinalizedSlot()).isEqualTo(2);
        assertThat(restarted.lastUsedSlot()).isEqualTo(2);
        assertThat(start.apply()).containsExactly(new Apply(1, A, 0));
    }
}
