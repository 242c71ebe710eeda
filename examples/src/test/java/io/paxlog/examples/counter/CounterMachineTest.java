package io.paxlog.examples.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The counter machine: results, refusals as results, queries, and snapshots that restore the same state. */
class CounterMachineTest {

    private final CounterCodec codec = CounterCodec.INSTANCE;

    @Test
    void addsAccumulatePerNameAndAGetReadsWithoutChanging() {
        CounterMachine machine = new CounterMachine();
        assertThat(apply(machine, 1, "add visits 5")).isEqualTo("visits 5");
        assertThat(apply(machine, 2, "add visits -2")).isEqualTo("visits 3");
        assertThat(apply(machine, 3, "add other 1")).isEqualTo("other 1");
        assertThat(apply(machine, 4, "get visits")).isEqualTo("visits 3");
        assertThat(text(machine.query(bytes("get visits")))).isEqualTo("visits 3");
        assertThat(text(machine.query(bytes("get never")))).isEqualTo("never 0");
        assertThatThrownBy(() -> machine.query(bytes("add visits 1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("submit it as a command");
        assertThat(apply(machine, 5, "get visits")).as("the refused query changed nothing").isEqualTo("visits 3");
    }

    @Test
    void whatCannotBeAppliedIsAResultTheSameOnEveryServer() {
        CounterMachine machine = new CounterMachine();
        assertThat(apply(machine, 1, "add visits many")).startsWith("rejected: not a counter command: \"add visits many\"");
        assertThat(apply(machine, 2, "add " + "x".repeat(65) + " 1")).startsWith("rejected: not a counter command");
        assertThat(text(machine.apply(3, new byte[] {(byte) 0xff}))).isEqualTo("rejected: a counter command is UTF-8 text");
        assertThat(apply(machine, 4, "add big " + Long.MAX_VALUE)).isEqualTo("big " + Long.MAX_VALUE);
        assertThat(apply(machine, 5, "add big 1")).isEqualTo("rejected: big would overflow: " + Long.MAX_VALUE + " + 1");
        assertThat(apply(machine, 6, "get big")).isEqualTo("big " + Long.MAX_VALUE);
    }

    @Test
    void aCounterBackAtZeroIsForgottenSoItTakesNoRoomInTheSnapshot() {
        CounterMachine machine = new CounterMachine();
        byte[] empty = machine.snapshot();
        apply(machine, 1, "add gone 4");
        apply(machine, 2, "add gone -4");
        assertThat(machine.snapshot()).isEqualTo(empty);
    }

    @Test
    void aDamagedSnapshotIsRefusedAndTheStateIsUnchanged() {
        CounterMachine source = new CounterMachine();
        apply(source, 1, "add a 1");
        byte[] good = source.snapshot();
        CounterMachine target = new CounterMachine();
        apply(target, 1, "add mine 7");
        byte[] before = target.snapshot();
        assertThatThrownBy(() -> target.restore(Arrays.copyOf(good, good.length - 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.restore(Arrays.copyOf(good, good.length + 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.restore(new byte[8])).isInstanceOf(IllegalArgumentException.class);
        assertThat(target.snapshot()).isEqualTo(before);
    }

    /** Two servers given the same commands, one of them restored from a snapshot halfway, end in the same state. */
    @Property(tries = 200)
    void sameCommandsSameStateEvenAcrossASnapshot(@ForAll("histories") List<CounterCommand> commands) {
        CounterMachine one = new CounterMachine();
        CounterMachine other = new CounterMachine();
        long slot = 0;
        for (int i = 0; i < commands.size(); i++) {
            byte[] payload = codec.encodeCommand(commands.get(i));
            slot++;
            assertThat(other.apply(slot, payload)).isEqualTo(one.apply(slot, payload));
            if (i == commands.size() / 2) {
                CounterMachine restored = new CounterMachine();
                restored.restore(other.snapshot());
                other = restored;
            }
        }
        assertThat(other.snapshot()).isEqualTo(one.snapshot());
    }

    @Property(tries = 200)
    void theCodecReadsBackWhatItWrites(@ForAll("commands") CounterCommand command) {
        assertThat(codec.decodeCommand(codec.encodeCommand(command))).isEqualTo(command);
        CounterResult value = new CounterResult.Value("n", command instanceof CounterCommand.Add add ? add.delta() : 0);
        assertThat(codec.decodeResult(codec.encodeResult(value))).isEqualTo(value);
    }

    @Provide
    Arbitrary<List<CounterCommand>> histories() {
        return commands().list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<CounterCommand> commands() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "visits");
        Arbitrary<Long> deltas = Arbitraries.oneOf(Arbitraries.longs().between(-5, 5), Arbitraries.longs());
        return Arbitraries.oneOf(
                Combinators.combine(names, deltas).as(CounterCommand.Add::new),
                names.map(CounterCommand.Get::new));
    }

    private static String apply(CounterMachine machine, long slot, String command) {
        return text(machine.apply(slot, bytes(command)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
