package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.StateMachine;
import io.paxlog.api.codec.Binary;
import io.paxlog.core.ExactlyOnce.Outcome.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions, log time, idempotency keys and their bounds (docs/protocol.md#client-sessions). */
class ExactlyOnceSessionsTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final SessionLimits LIMITS = new SessionLimits(10_000, 60_000, 100, 1_000);

    /** Counts what reaches it and answers with the count. */
    private static final class Counter implements StateMachine {
        final List<Long> slots = new ArrayList<>();

        @Override
        public byte[] apply(long slot, byte[] payload) {
            slots.add(slot);
            return ByteBuffer.allocate(4).putInt(slots.size()).array();
        }

        @Override
        public byte[] snapshot() {
            ByteBuffer out = ByteBuffer.allocate(8 * slots.size());
            slots.forEach(out::putLong);
            return out.array();
        }

        @Override
        public void restore(byte[] snapshot) {
            slots.clear();
            ByteBuffer in = ByteBuffer.wrap(snapshot);
            while (in.hasRemaining()) {
                slots.add(in.getLong());
            }
        }
    }

    /** One server's table fed a log slot by slot. */
    private static final class Server {
        final Counter machine = new Counter();
        final ExactlyOnce layer;
        long slot;

        Server(int window) {
            layer = new ExactlyOnce(machine, window);
        }

        ExactlyOnce.Outcome apply(Command command) {
            return layer.apply(++slot, command);
        }

        ExactlyOnce.Outcome clock(long wallMillis, SessionLimits limits) {
            return apply(layer(1, new SessionCommand.Clock(wallMillis, limits)));
        }

        long register() {
            ExactlyOnce.Outcome opened = apply(layer(2, new SessionCommand.Register()));
            assertThat(opened.kind()).isEqualTo(Kind.APPLIED);
            long id = new Binary.Reader(opened.result(), "session id").getLong();
            assertThat(id).as("the id is the register's slot").isEqualTo(slot).isEqualTo(opened.slot());
            return id;
        }
    }

    private static long layerSequence;

    private static Command layer(int serverId, SessionCommand command) {
        return new Command(ClientIds.sessionLayer(serverId), ++layerSequence, command.encode());
    }

    private static Command command(long session, long sequence) {
        return new Command(session, sequence, new byte[] {(byte) sequence});
    }

    @Test
    void aRegisteredSessionAppliesOnceAndAnUnknownIdIsNotAppliedOnceLogTimeRuns() {
        Server server = new Server(4);
        server.clock(T0, LIMITS);
        long session = server.register();
        assertThat(server.apply(command(session, 1)).kind()).isEqualTo(Kind.APPLIED);
        assertThat(server.apply(command(session, 1)).kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(server.apply(command(session + 1000, 1)).kind()).isEqualTo(Kind.SESSION_EXPIRED);
        assertThat(server.machine.slots).hasSize(1);
    }

    @Test
    void beforeTheFirstClockAnUnknownIdOpensASessionAsBeforeSessionsExisted() {
        Server server = new Server(4);
        assertThat(server.apply(command(77, 1)).kind()).isEqualTo(Kind.APPLIED);
        server.clock(T0, LIMITS);
        assertThat(server.apply(command(77, 2)).kind()).as("the old client lives on while active").isEqualTo(Kind.APPLIED);
        assertThat(server.apply(command(78, 1)).kind()).isEqualTo(Kind.SESSION_EXPIRED);
        server.clock(T0 + LIMITS.sessionTimeoutMs() + 1, LIMITS);
        assertThat(server.apply(command(77, 3)).kind()).isEqualTo(Kind.SESSION_EXPIRED);
    }

    @Test
    void aSessionSilentLongerThanTheTimeoutIsDroppedAtTheSameSlotWhateverTheServersClocks() {
        // The log: clocks proposed by two leaders whose clocks disagree by 7 s (the second is behind).
        List<Command> log = new ArrayList<>();
        log.add(layer(1, new SessionCommand.Clock(T0, LIMITS)));
        log.add(layer(1, new SessionCommand.Register()));
        long session = 2;
        log.add(command(session, 1));
        for (int second = 1; second <= 30; second++) {
            int leader = second < 15 ? 1 : 2;
            long skew = leader == 2 ? -7_000 : 0;
            log.add(layer(leader, new SessionCommand.Clock(T0 + second * 1_000L + skew, LIMITS)));
        }
        log.add(command(session, 2));

        List<List<Kind>> outcomes = new ArrayList<>();
        List<Long> logTimes = new ArrayList<>();
        for (int server = 0; server < 2; server++) {
            Server replica = new Server(4);
            List<Kind> kinds = new ArrayList<>();
            long previous = 0;
            int droppedAt = -1;
            for (Command command : log) {
                kinds.add(replica.apply(command).kind());
                assertThat(replica.layer.logTime()).as("log time never goes back").isGreaterThanOrEqualTo(previous);
                previous = replica.layer.logTime();
                if (droppedAt < 0 && replica.slot > session && !replica.layer.isOpen(session)) {
                    droppedAt = (int) replica.slot;
                }
            }
            // Active at T0 (slot 3); the first clock more than 10 s later is T0 + 11 s at slot 14.
            assertThat(droppedAt).isEqualTo(14);
            outcomes.add(kinds);
            logTimes.add(replica.layer.logTime());
        }
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
        assertThat(outcomes.get(0).get(log.size() - 1)).isEqualTo(Kind.SESSION_EXPIRED);
        assertThat(logTimes.get(0)).as("the lagging leader moved log time only once past the first one").isEqualTo(T0 + 23_000);
    }

    @Test
    void everyAppliedCommandAndAKeepAliveRefreshTheSession() {
        Server server = new Server(4);
        server.clock(T0, LIMITS);
        long session = server.register();
        for (int second = 1; second <= 40; second++) {
            server.clock(T0 + second * 1_000L, LIMITS);
            if (second % 3 == 0) {
                assertThat(server.apply(layer(1, new SessionCommand.KeepAlive(session))).kind()).isEqualTo(Kind.APPLIED);
            }
        }
        assertThat(server.layer.isOpen(session)).isTrue();
        server.clock(T0 + 60_000, LIMITS);
        assertThat(server.apply(layer(1, new SessionCommand.KeepAlive(session))).kind()).isEqualTo(Kind.SESSION_EXPIRED);
    }

    @Test
    void aRegisterBeyondSessionsMaxAndANewKeyBeyondKeysMaxAreRefusedAndApplyNothing() {
        Server server = new Server(4);
        SessionLimits tight = new SessionLimits(10_000, 60_000, 2, 2);
        server.clock(T0, tight);
        server.register();
        server.register();
        ExactlyOnce.Outcome third = server.apply(layer(1, new SessionCommand.Register()));
        assertThat(third.kind()).isEqualTo(Kind.REFUSED);
        assertThat(third.reason()).contains("maximum of 2 sessions");
        assertThat(server.layer.sessionCount()).isEqualTo(2);

        server.apply(new Command(ClientIds.KEYED_MIN + 1, 1, new byte[] {1}));
        server.apply(new Command(ClientIds.KEYED_MIN + 2, 1, new byte[] {1}));
        ExactlyOnce.Outcome full = server.apply(new Command(ClientIds.KEYED_MIN + 3, 1, new byte[] {1}));
        assertThat(full.kind()).isEqualTo(Kind.REFUSED);
        assertThat(full.reason()).contains("maximum of 2 idempotency keys");
        assertThat(server.machine.slots).hasSize(2);
    }

    @Test
    void aKeyRepeatedWithTheSameBytesGetsTheSavedResultAndWithOtherBytesIsKeyReused() {
        Server server = new Server(4);
        server.clock(T0, LIMITS);
        long key = ClientIds.KEYED_MIN + 12345;
        ExactlyOnce.Outcome first = server.apply(new Command(key, 1, new byte[] {1, 2}));
        assertThat(first.kind()).isEqualTo(Kind.APPLIED);
        ExactlyOnce.Outcome repeat = server.apply(new Command(key, 1, new byte[] {1, 2}));
        assertThat(repeat.kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(repeat.slot()).isEqualTo(first.slot());
        assertThat(repeat.result()).isEqualTo(first.result());
        assertThat(server.apply(new Command(key, 1, new byte[] {1, 3})).kind()).isEqualTo(Kind.KEY_REUSED);
        assertThat(server.apply(new Command(key, 2, new byte[] {1, 2})).kind())
                .as("a key has one command, sequence 1").isEqualTo(Kind.SESSION_EXPIRED);
        assertThat(server.machine.slots).hasSize(1);
        server.clock(T0 + LIMITS.keyTtlMs() + 1, LIMITS);
        assertThat(server.layer.keyCount()).as("expired keyTtl after it was applied").isZero();
    }

    @Test
    void aSnapshotRoundTripKeepsEverythingAndExpiryAfterRestoreEqualsExpiryWithout() {
        Server original = new Server(3);
        original.clock(T0, LIMITS);
        long early = original.register();
        original.apply(command(early, 1));
        original.clock(T0 + 4_000, LIMITS);
        long late = original.register();
        original.apply(command(late, 1));
        original.apply(command(late, 2));
        original.apply(new Command(ClientIds.KEYED_MIN + 5, 1, new byte[] {5}));
        original.clock(T0 + 30_000, new SessionLimits(10_000, 40_000, 100, 1_000));
        original.apply(new Command(ClientIds.KEYED_MIN + 6, 1, new byte[] {6}));
        byte[] snapshot = original.layer.snapshot();

        Server restored = new Server(3);
        restored.layer.restore(original.slot, snapshot);
        restored.slot = original.slot;
        assertThat(restored.layer.snapshot()).as("restore then snapshot gives the same bytes").isEqualTo(snapshot);
        assertThat(restored.layer.logTime()).isEqualTo(T0 + 30_000);
        assertThat(restored.layer.limits()).isEqualTo(original.layer.limits());
        assertThat(restored.machine.slots).isEqualTo(original.machine.slots);

        // The same tail of log on both: every outcome, and what expires when, must agree.
        SessionLimits limits = original.layer.limits();
        List<Command> tail = List.of(
                layer(1, new SessionCommand.KeepAlive(early)),
                new Command(ClientIds.KEYED_MIN + 6, 1, new byte[] {6}),
                new Command(ClientIds.KEYED_MIN + 5, 1, new byte[] {9}),
                layer(1, new SessionCommand.Clock(T0 + 45_000, limits)),
                command(late, 2),
                new Command(ClientIds.KEYED_MIN + 6, 1, new byte[] {6}),
                layer(1, new SessionCommand.Clock(T0 + 80_000, limits)),
                new Command(ClientIds.KEYED_MIN + 6, 1, new byte[] {7}));
        for (Command command : tail) {
            ExactlyOnce.Outcome without = original.apply(command);
            ExactlyOnce.Outcome with = restored.apply(command);
            assertThat(with.kind()).as("%s", command).isEqualTo(without.kind());
            assertThat(with.slot()).isEqualTo(without.slot());
            assertThat(with.result()).isEqualTo(without.result());
            assertThat(restored.layer.sessionCount()).isEqualTo(original.layer.sessionCount());
            assertThat(restored.layer.keyCount()).isEqualTo(original.layer.keyCount());
        }
        assertThat(restored.layer.snapshot()).isEqualTo(original.layer.snapshot());
    }

    @Test
    void aMillionKeyedCommandsWithDistinctKeysAndAShortTtlStayWithinTheBound() {
        SessionLimits limits = new SessionLimits(10_000, 2_000, 100, 5_000);
        Server server = new Server(4);
        server.clock(T0, limits);
        long wall = T0;
        int refused = 0;
        int maxKeys = 0;
        for (int i = 1; i <= 1_000_000; i++) {
            ExactlyOnce.Outcome outcome = server.apply(new Command(ClientIds.KEYED_MIN + i, 1, new byte[] {(byte) i}));
            if (outcome.kind() == Kind.REFUSED) {
                refused++;
            }
            if (i % 1_000 == 0) {
                wall += 500; // 2,000 keyed commands a second of log time
                server.clock(wall, limits);
            }
            maxKeys = Math.max(maxKeys, server.layer.keyCount());
        }
        assertThat(maxKeys).isLessThanOrEqualTo(limits.keysMax());
        assertThat(refused).as("the ttl keeps the table below the bound at this rate").isZero();
        server.clock(wall + limits.keyTtlMs() + 1, limits);
        assertThat(server.layer.keyCount()).isZero();
    }

    @Test
    void aVersion1SnapshotGivesItsResultsTheSnapshotSlotAndNeedsIt() {
        Counter source = new Counter();
        source.apply(1, new byte[0]);
        byte[] version1 = new Binary.Writer().putInt(0x50584551).putByte(1).putInt(4).putInt(1)
                .putLong(7).putLong(3).putInt(1).putLong(3).putBytes(new byte[] {2})
                .putBytes(source.snapshot()).finishWithChecksum();
        ExactlyOnce layer = new ExactlyOnce(new Counter(), 4);
        assertThatThrownBy(() -> layer.restore(version1)).hasMessageContaining("version-1");
        layer.restore(40, version1);
        ExactlyOnce.Outcome retry = layer.apply(41, new Command(7, 3, new byte[0]));
        assertThat(retry.kind()).isEqualTo(Kind.DUPLICATE);
        assertThat(retry.slot()).as("at or before the snapshot's slot, never 0").isEqualTo(40);
    }
}
