package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.core.Effects;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Checker's rules on what a server sends, one by one, fed by hand: each must fire on a message
 * that is not backed and stay quiet once it is. Server 2 is the one sending; 1 leads.
 */
class CheckerTest {

    private static final Epoch E = new Epoch(3, 1);
    private static final Epoch LATER = new Epoch(4, 3);
    private static final Command A = new Command(7, 1, new byte[] {1});
    private static final Command B = new Command(8, 1, new byte[] {2});

    private final Checker checker = new Checker(3);
    private Replica two;

    @BeforeEach
    void startServerTwo() {
        two = new Replica(ReplicaConfig.defaults(2, List.of(1, 2, 3)), RecoveredState.EMPTY, new SplittableRandom(2), 0);
        checker.restarting(2, Epoch.ZERO);
        two.start();
        checker.restarted(two, Epoch.ZERO, List.of());
    }

    @Test
    void overthrowOkNeedsItsPromiseReportedDurable() {
        issue(new PersistBatch(1, E, List.of(), List.of()));
        assertThatThrownBy(() -> send(new OverthrowOk(E, 0)))
                .isInstanceOf(Violation.class)
                .hasMessage("Rule D: server 2 sent overthrowOk(3.1, lastUsed=0) to 1 but its promise is durable only up to 0.0");
        checker.persisted(2, 1);
        assertThatCode(() -> send(new OverthrowOk(E, 0))).doesNotThrowAnyException();
    }

    @Test
    void storeOkNeedsTheEntryAtItsEpochReportedDurable() {
        issue(new PersistBatch(1, E, List.of(), List.of()));
        checker.persisted(2, 1);
        issue(new PersistBatch(2, null, List.of(new StoredEntry(1, E, A)), List.of()));
        assertThatThrownBy(() -> send(new StoreOk(E, List.of(1L))))
                .isInstanceOf(Violation.class)
                .hasMessageContaining("slot 1 is durable as nothing");
        checker.persisted(2, 2);
        assertThatCode(() -> send(new StoreOk(E, List.of(1L)))).doesNotThrowAnyException();
    }

    @Test
    void storeOkNeedsThePromiseOfItsEpochReportedDurable() {
        issue(new PersistBatch(1, null, List.of(new StoredEntry(1, E, A)), List.of()));
        checker.persisted(2, 1);
        assertThatThrownBy(() -> send(new StoreOk(E, List.of(1L))))
                .isInstanceOf(Violation.class)
                .hasMessageContaining("its promise is durable only up to 0.0");
    }

    @Test
    void readReplyMayReportOnlyWhatIsDurableOrWasReplacedByANewerDurableEntry() {
        issue(new PersistBatch(1, E, List.of(new StoredEntry(1, E, A)), List.of()));
        ReadReply reportsA = new ReadReply(E, E, 1, 1, List.of(new SlotState(1, E, A, false)));
        assertThatThrownBy(() -> send(reportsA))
                .isInstanceOf(Violation.class)
                .hasMessageContaining("it reports 1=" + A + "@3.1 but slot 1 is durable as nothing");
        checker.persisted(2, 1);
        assertThatCode(() -> send(reportsA)).doesNotThrowAnyException();

        issue(new PersistBatch(2, LATER, List.of(new StoredEntry(1, LATER, B)), List.of()));
        checker.persisted(2, 2);
        assertThatCode(() -> send(reportsA)).as("true when made; a later leader replaced it").doesNotThrowAnyException();
        ReadReply reportsOlderB = new ReadReply(E, E, 1, 1, List.of(new SlotState(1, new Epoch(2, 2), B, false)));
        assertThatCode(() -> send(reportsOlderB)).doesNotThrowAnyException();
        ReadReply reportsNewerA = new ReadReply(E, E, 1, 1, List.of(new SlotState(1, new Epoch(5, 1), A, false)));
        assertThatThrownBy(() -> send(reportsNewerA)).hasMessageContaining("is durable as " + B + "@4.3");
    }

    @Test
    void aLeaderReadsOnlyServersWhoseOverthrowOkReachedIt() {
        Replica one = new Replica(ReplicaConfig.defaults(1, List.of(1, 2, 3)), RecoveredState.EMPTY,
                new SplittableRandom(1), 0);
        one.start();
        Envelope read = new Envelope(1, 3, new Read(E, 1, 4));
        Effects readsThree = effects(List.of(), read);
        checker.delivered(new Envelope(2, 1, new OverthrowOk(E, 4)));
        assertThatThrownBy(() -> checker.stepped(one, readsThree))
                .isInstanceOf(Violation.class)
                .hasMessage("read target: server 1 sent read(3.1, 1..4) to 3, whose overthrowOk of 3.1 never reached it"
                        + " (only [2]'s did)");
        checker.delivered(new Envelope(3, 1, new OverthrowOk(LATER, 4)));
        assertThatThrownBy(() -> checker.stepped(one, readsThree)).as("a promise of another epoch").hasMessageContaining("read target");
        checker.delivered(new Envelope(3, 1, new OverthrowOk(E, 4)));
        assertThatCode(() -> checker.stepped(one, readsThree)).doesNotThrowAnyException();
    }

    @Test
    void aRestartForgetsWhatWasReportedDurableBeyondTheDisk() {
        issue(new PersistBatch(1, E, List.of(), List.of()));
        checker.persisted(2, 1);
        checker.restarting(2, Epoch.ZERO); // suppose the disk lost it: the new process must not rely on it
        two = new Replica(ReplicaConfig.defaults(2, List.of(1, 2, 3)), RecoveredState.EMPTY, new SplittableRandom(2), 0);
        two.start();
        checker.restarted(two, Epoch.ZERO, List.of());
        assertThatThrownBy(() -> send(new OverthrowOk(E, 0))).hasMessageContaining("durable only up to 0.0");
    }

    private void issue(PersistBatch batch) {
        checker.stepped(two, effects(List.of(batch)));
    }

    private void send(Message message) {
        checker.stepped(two, effects(List.of(), new Envelope(2, 1, message)));
    }

    private static Effects effects(List<PersistBatch> persist, Envelope... send) {
        return new Effects(persist, List.of(send), List.of(), List.of(), List.of(), null);
    }
}
