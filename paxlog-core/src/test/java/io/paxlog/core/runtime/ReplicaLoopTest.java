package io.paxlog.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.CoreSnapshot;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.MembershipChange;
import io.paxlog.core.Refusal;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotStore;
import io.paxlog.api.storage.Storage;
import io.paxlog.core.storage.MemoryStorage;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The runtime loop end to end on one server: storage, state machine, answers, restart. */
class ReplicaLoopTest {

    /** Appends each command to a string and answers with the whole string. */
    private static final class Journal implements StateMachine {
        final StringBuilder text = new StringBuilder();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            text.append(new String(payload, StandardCharsets.UTF_8));
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] snapshot() {
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void restore(byte[] snapshot) {
            text.setLength(0);
            text.append(new String(snapshot, StandardCharsets.UTF_8));
        }
    }

    private static final class Answers implements Responder {
        final List<String> applied = new ArrayList<>();
        final List<Refusal> refused = new ArrayList<>();

        @Override
        public void applied(long requestId, long slot, ExactlyOnce.Outcome outcome) {
            applied.add(requestId + "@" + slot + " " + outcome.kind() + " "
                    + new String(outcome.result(), StandardCharsets.UTF_8));
        }

        @Override
        public void refused(Refusal refusal) {
            refused.add(refusal);
        }

        @Override
        public void changed(long requestId, long slot, MembershipChange.Result result) {
            applied.add(requestId + "@" + slot + " CHANGE " + result.membership());
        }

        final List<String> reads = new ArrayList<>();

        @Override
        public void readReady(long requestId, long appliedSlot) {
            reads.add(requestId + "@" + appliedSlot);
        }
    }

    private static ReplicaLoop loop(MemoryStorage storage, Journal journal, Answers answers, List<Envelope> network) {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        return ReplicaLoop.builder().config(config).storage(storage, null, null).transport(network::add)
                .stateMachine(journal).exactlyOnceWindow(8).responder(answers).random(new SplittableRandom(1)).start(0);
    }

    private static Command command(long sequence, String text) {
        return new Command(7, sequence, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSingleServerAppliesCommandsOnceAndKeepsThemAcrossARestart() {
        MemoryStorage storage = new MemoryStorage();
        Journal journal = new Journal();
        Answers answers = new Answers();
        List<Envelope> network = new ArrayList<>();
        ReplicaLoop loop = loop(storage, journal, answers, network);

        loop.submit(new ClientRequest(1, command(1, "a")));
        assertThat(answers.refused).extracting(Refusal::reason).containsExactly(Refusal.Reason.NOT_LEADER);

        loop.tick(200);
        assertThat(loop.replica().role()).isEqualTo(Role.LEADER);
        loop.submit(new ClientRequest(2, command(1, "a")));
        loop.submit(new ClientRequest(3, command(2, "b")));
        loop.submit(new ClientRequest(4, command(1, "a"))); // a retry: answered, not applied again
        // The retry lands in slot 3 too, but is answered with the slot where the command took effect.
        assertThat(answers.applied).containsExactly("2@1 APPLIED a", "3@2 APPLIED ab", "4@1 DUPLICATE a");
        assertThat(network).as("nobody else to talk to").isEmpty();

        Journal afterRestart = new Journal();
        ReplicaLoop restarted = loop(storage, afterRestart, new Answers(), network);
        assertThat(afterRestart.text.toString()).as("replayed from storage").isEqualTo("ab");
        assertThat(restarted.replica().appliedSlot()).isEqualTo(3);
        assertThat(restarted.replica().role()).isEqualTo(Role.PASSIVE);
    }

    /** Memory storage that also keeps snapshots; a save turns durable only when the test says so. */
    private static final class SnapshottingStorage implements Storage, SnapshotStore {
        final MemoryStorage log = new MemoryStorage();
        Snapshot durable;
        long saving;
        SnapshotSource savingSource;
        DurableCallback savingCallback;

        @Override
        public RecoveredState recover() {
            RecoveredState all = log.recover();
            if (durable == null) {
                return all;
            }
            return new RecoveredState(all.promised(),
                    all.entries().stream().filter(e -> e.slot() > durable.slot()).toList(), durable);
        }

        @Override
        public void write(PersistBatch batch, DurableCallback callback) {
            log.write(batch, callback);
        }

        @Override
        public void saveSnapshot(long slot, SnapshotSource source, DurableCallback callback) {
            saving = slot;
            savingSource = source;
            savingCallback = callback;
        }

        @Override
        public Optional<Snapshot> newestSnapshot() {
            return Optional.ofNullable(durable);
        }

        /** Writes the view now, as the store's thread would: after the loop applied more. */
        void finishSave() {
            durable = new Snapshot(saving, savingSource.toByteArray());
            saving = 0;
            savingSource = null;
            savingCallback.durable(durable.slot());
        }
    }

    @Test
    void theLoopSnapshotsEveryFewSlotsCompactsOnlyOnceDurableAndRestartsFromTheSnapshot() {
        SnapshottingStorage storage = new SnapshottingStorage();
        Journal journal = new Journal();
        Answers answers = new Answers();
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        ReplicaLoop loop = ReplicaLoop.builder().config(config).storage(storage, null, null)
                .snapshotPolicy(new ReplicaLoop.SnapshotPolicy(3)).transport(envelope -> { }).stateMachine(journal)
                .exactlyOnceWindow(8).responder(answers).random(new SplittableRandom(1)).start(0);
        loop.tick(200);
        for (int i = 1; i <= 4; i++) {
            loop.submit(new ClientRequest(i, command(i, "x" + i)));
        }
        assertThat(loop.replica().appliedSlot()).isEqualTo(4);
        assertThat(storage.saving).as("taken at 3 applied slots").isEqualTo(3);
        assertThat(loop.replica().snapshotSlot()).as("not compacted before it is durable").isZero();
        assertThat(loop.takeSnapshot()).as("one save at a time").isZero();

        storage.finishSave();
        assertThat(loop.replica().snapshotSlot()).isEqualTo(3);
        Journal fromSnapshot = new Journal();
        new ExactlyOnce(fromSnapshot, 8).restore(CoreSnapshot.split(storage.durable.data()).state());
        assertThat(fromSnapshot.text.toString()).as("written after slot 4 applied, it holds the state at 3")
                .isEqualTo("x1x2x3");
        assertThat(loop.replica().logSize()).as("slot 4 stays in memory").isEqualTo(1);

        Journal afterRestart = new Journal();
        ReplicaLoop restarted = ReplicaLoop.builder().config(config).storage(storage, null, null)
                .transport(envelope -> { }).stateMachine(afterRestart).exactlyOnceWindow(8).responder(new Answers())
                .random(new SplittableRandom(1)).start(0);
        assertThat(afterRestart.text.toString()).as("the snapshot, then slot 4 from the log").isEqualTo("x1x2x3x4");
        assertThat(restarted.replica().appliedSlot()).isEqualTo(4);
        assertThat(restarted.replica().snapshotSlot()).isEqualTo(3);
        assertThat(restarted.takeSnapshot()).as("on demand").isEqualTo(4);
    }
}
