package io.paxlog.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.Binary;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.ClientIds;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.SessionLimits;
import io.paxlog.core.runtime.CommandAnswer.Status;
import io.paxlog.core.storage.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sessions on one server: through the log, with log time from the leader's clock commands. */
class NodeSessionsTest {

    private static final long WALL = 1_700_000_000_000L;
    private static final SessionConfig SESSIONS = new SessionConfig(new SessionLimits(3_000, 60_000, 2, 100), 100);

    private static final class Recorder implements StateMachine {
        final List<String> applied = new ArrayList<>();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            applied.add(slot + ":" + new String(payload, StandardCharsets.UTF_8));
            return ("ok" + slot).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] snapshot() {
            return new byte[0];
        }

        @Override
        public void restore(byte[] snapshot) {
            applied.clear();
        }
    }

    private final Recorder machine = new Recorder();
    private final List<CommandAnswer> answers = new ArrayList<>();
    private final List<Command> logged = new ArrayList<>();

    private Node node(io.paxlog.api.storage.Storage storage) {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1)).withTimeouts(100, 200, 20);
        return Node.builder(new Node.Config(config, 8, 64, ReplicaLoop.SnapshotPolicy.ON_DEMAND, SESSIONS))
                .storage(storage, null, null).transport(envelope -> { })
                .stateMachine(machine, LeaderDuties.NONE).random(new SplittableRandom(1))
                .observer(new ReplicaLoop.Observer() {
                    @Override
                    public void applied(io.paxlog.core.Replica replica, io.paxlog.core.Apply apply,
                            io.paxlog.core.ExactlyOnce.Outcome outcome) {
                        logged.add(apply.command());
                    }
                }).start(0);
    }

    private static long session(CommandAnswer opened) {
        assertThat(opened.status()).isEqualTo(Status.APPLIED);
        Binary.Reader in = new Binary.Reader(opened.result(), "register");
        long id = in.getLong();
        assertThat(id).isEqualTo(opened.slot());
        assertThat(in.getLong()).as("the session timeout").isEqualTo(3_000);
        return id;
    }

    @Test
    void theLeaderProposesClockCommandsAndASilentSessionExpiresWhileAnActiveOneLives() {
        Node node = node(new MemoryStorage());
        long now = 200;
        node.tick(now, WALL + now);
        node.register(answers::add, now);
        long quiet = session(answers.get(0));
        node.register(answers::add, now);
        long busy = session(answers.get(1));
        node.register(answers::add, now);
        assertThat(answers.get(2).status()).as("sessionsMax is 2").isEqualTo(Status.BUSY);
        assertThat(answers.get(2).message()).contains("maximum of 2 sessions");

        long sequence = 0;
        for (now = 210; now <= 5_000; now += 10) {
            node.tick(now, WALL + now);
            if (now % 500 == 0) {
                node.command(busy, ++sequence, "w".getBytes(StandardCharsets.UTF_8), answers::add, now);
            }
        }
        long clocks = logged.stream().filter(c -> ClientIds.isSessionLayer(c.clientId())).count();
        assertThat(clocks).as("about one clock command every 100 ms").isBetween(45L, 52L);
        answers.clear();
        node.command(quiet, 1, "late".getBytes(StandardCharsets.UTF_8), answers::add, now);
        node.command(busy, ++sequence, "w".getBytes(StandardCharsets.UTF_8), answers::add, now);
        node.keepAlive(quiet, answers::add, now);
        assertThat(answers).extracting(CommandAnswer::status)
                .containsExactly(Status.SESSION_EXPIRED, Status.APPLIED, Status.SESSION_EXPIRED);
        assertThat(machine.applied).noneMatch(line -> line.endsWith(":late"));
        node.register(answers::add, now);
        assertThat(answers.get(3).status()).as("the expired session made room").isEqualTo(Status.APPLIED);
    }

    @Test
    void aNodeNeverToldTheWallTimeProposesNoClockAndKeepsTheRulesOfBeforeSessions() {
        Node node = node(new MemoryStorage());
        for (long now = 200; now <= 2_000; now += 10) {
            node.tick(now);
        }
        node.command(7, 1, "a".getBytes(StandardCharsets.UTF_8), answers::add, 2_000);
        assertThat(answers).extracting(CommandAnswer::status).containsExactly(Status.APPLIED);
        assertThat(logged).noneMatch(c -> ClientIds.isSessionLayer(c.clientId()));
    }

    /**
     * Fix 4 of issue 11: a retry answered from a version-1 snapshot's saved result (which kept no slot)
     * made the loop fail on slot 0; it is answered applied at the snapshot's slot.
     */
    @Test
    void aRetryAnsweredFromAVersion1SnapshotIsAppliedAtTheSnapshotsSlotAndTheLoopLivesOn() {
        byte[] version1 = new Binary.Writer().putInt(0x50584551).putByte(1).putInt(8).putInt(1)
                .putLong(7).putLong(3).putInt(1).putLong(3).putBytes("saved".getBytes(StandardCharsets.UTF_8))
                .putBytes(new byte[0]).finishWithChecksum();
        // A server whose disk holds that snapshot at slot 40 and nothing after it.
        Node node = node(new io.paxlog.api.storage.Storage() {
            @Override
            public RecoveredState recover() {
                return new RecoveredState(io.paxlog.api.Epoch.ZERO, List.of(), new Snapshot(40, version1));
            }

            @Override
            public void write(io.paxlog.api.storage.PersistBatch batch, DurableCallback callback) {
                callback.durable(batch.id());
            }
        });
        node.tick(200);
        node.command(7, 3, "again".getBytes(StandardCharsets.UTF_8), answers::add, 200);
        assertThat(answers).singleElement().satisfies(answer -> {
            assertThat(answer.status()).isEqualTo(Status.APPLIED);
            assertThat(answer.slot()).isEqualTo(40);
            assertThat(new String(answer.result(), StandardCharsets.UTF_8)).isEqualTo("saved");
        });
        node.command(7, 4, "next".getBytes(StandardCharsets.UTF_8), answers::add, 200);
        assertThat(answers.get(1).status()).isEqualTo(Status.APPLIED);
    }
}
