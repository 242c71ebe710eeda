package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.Store;
import io.paxlog.api.storage.RecoveredState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * docs/membership.md#takeover, on one server: slots 1 and 2 (finalized) add server 4 and promote it, so
 * with alpha 1 slot 3 is governed by voters {1, 2, 3, 4}. A new leader needs three of them, not the two
 * the seed's {1, 2, 3} would have needed, for its promises and for its read of slot 3.
 */
class TakeoverAcrossMembershipsTest {

    private static final Epoch OLD = new Epoch(1, 2);
    private static final Command PENDING = new Command(5, 1, new byte[] {7});

    @Test
    void aLeaderNeedsAMajorityOfTheGoverningMembershipToLeadAndToReproposeASlot() {
        ReplicaConfig config = Fixture.config(1, 3).withReconfig(new ReplicaConfig.Reconfig(1, 100));
        RecoveredState recovered = new RecoveredState(OLD, List.of(
                new SlotState(1, OLD, new MembershipChange.AddLearner(4, 1).toCommand(), true),
                new SlotState(2, OLD, new MembershipChange.Promote(4, 2).toCommand(), true),
                new SlotState(3, OLD, PENDING, false)));
        Replica replica = new Replica(config, recovered, new SplittableRandom(1), 0);
        Fixture.settle(replica, replica.start());
        assertThat(replica.appliedSlot()).isEqualTo(2);
        assertThat(replica.memberships().governing(3).voters()).containsExactly(1, 2, 3, 4);

        List<Effects> asked = Fixture.settle(replica, replica.tick(Fixture.ELECTION_MAX));
        assertThat(Fixture.sent(asked)).extracting(Envelope::to).as("the new voter is asked too").contains(4);
        Epoch wouldBe = Fixture.sent(asked).get(0).message().epoch();
        Fixture.settle(replica, replica.receive(new Envelope(2, 1, new PreOverthrowReply(wouldBe, OLD, true))));
        assertThat(replica.preVoting()).as("two of four voters are no majority").isTrue();
        List<Effects> overthrow = Fixture.settle(replica,
                replica.receive(new Envelope(4, 1, new PreOverthrowReply(wouldBe, OLD, true))));
        assertThat(replica.role()).isEqualTo(Role.CANDIDATE);
        assertThat(Fixture.sent(overthrow, Overthrow.class, 4)).hasSize(1);

        Epoch epoch = replica.ownEpoch();
        Fixture.settle(replica, replica.receive(new Envelope(2, 1, new OverthrowOk(epoch, 3))));
        assertThat(replica.role()).as("promises of 1 and 2: a majority of the seed only").isEqualTo(Role.CANDIDATE);
        List<Effects> leading = Fixture.settle(replica, replica.receive(new Envelope(3, 1, new OverthrowOk(epoch, 3))));
        assertThat(replica.role()).isEqualTo(Role.LEADER);
        assertThat(Fixture.sent(leading, Read.class, 2)).isNotEmpty();

        // The read of slot 3: server 2's answer (and its own) is not enough; server 3's makes a majority.
        List<Effects> half = Fixture.settle(replica, replica.receive(new Envelope(2, 1,
                new ReadReply(epoch, epoch, 3, 3, List.of(new SlotState(3, OLD, PENDING, false)), 0))));
        assertThat(Fixture.sent(half, Store.class, 2)).as("not re-proposed on two of four").isEmpty();
        List<Effects> whole = Fixture.settle(replica, replica.receive(new Envelope(3, 1,
                new ReadReply(epoch, epoch, 3, 3, List.of(), 0))));
        Store store = (Store) Fixture.sent(whole, Store.class, 4).get(0).message();
        assertThat(store.entries().get(0).slot()).isEqualTo(3);
        assertThat(store.entries().get(0).command()).isEqualTo(PENDING);
    }
}
