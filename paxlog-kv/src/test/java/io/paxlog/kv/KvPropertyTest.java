package io.paxlog.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.kv.KvCommand.Condition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random command sequences against {@link KvModel}, and snapshots against never snapshotting. Keys come
 * from a small alphabet with bytes on both sides of 0x80, so that they collide, share prefixes and catch
 * a signed comparison; the tight limits make every refusal happen.
 */
class KvPropertyTest {

    static final KvLimits TIGHT = new KvLimits(3, 5, 120, 3, 8);
    static final KvLimits ROOMY = new KvLimits(4, 6, 100_000, 1000, 1000);

    /** One random step; turned into a command against the model's current state by {@link #command}. */
    record Step(int op, byte[] key, byte[] value, byte[] other, int condition, boolean useCurrentVersion,
            long versionGuess, int limit) {}

    /** A command's payload, and the command itself (null when the payload is malformed on purpose). */
    record Planned(byte[] payload, KvCommand command) {}

    @Property(tries = 400)
    void theMachineAnswersLikeTheModel(@ForAll("limits") KvLimits limits, @ForAll("steps") List<Step> steps) {
        KvMachine machine = new KvMachine(limits);
        KvModel model = new KvModel(limits);
        long slot = 0;
        for (int i = 0; i < steps.size(); i++) {
            slot += 1 + i % 3;
            Planned planned = command(steps.get(i), model);
            String expected = planned.command() == null ? "rejected MALFORMED" : model.apply(slot, planned.command());
            String actual = KvModel.describe(KvCommands.decodeResult(machine.apply(slot, planned.payload())));
            assertThat(actual).as("step %d at slot %d: %s", i, slot, planned.command()).isEqualTo(expected);
        }
        assertThat(allEntries(machine)).isEqualTo(model.contents());
        assertThat(machine.storeBytes()).isEqualTo(model.storeBytes());
        assertThat(machine.storeBytes()).isLessThanOrEqualTo(limits.storeBytesMax());
        assertThat(machine.appliedSlot()).isEqualTo(slot);
    }

    @Property(tries = 200)
    void snapshotRestoreAndContinueEqualsNeverSnapshotting(@ForAll("limits") KvLimits limits,
            @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 0, max = 100) int splitPercent) {
        List<byte[]> payloads = payloads(limits, steps);
        int split = payloads.size() * splitPercent / 100;
        KvMachine straight = new KvMachine(limits);
        KvMachine before = new KvMachine(limits);
        KvMachine after = new KvMachine(limits);
        for (int i = 0; i < payloads.size(); i++) {
            byte[] expected = straight.apply(i + 1, payloads.get(i));
            if (i < split) {
                before.apply(i + 1, payloads.get(i));
                continue;
            }
            if (i == split) {
                after.restore(before.snapshot());
            }
            assertThat(after.apply(i + 1, payloads.get(i))).as("step %d", i).isEqualTo(expected);
        }
        if (split == payloads.size()) {
            after.restore(before.snapshot());
        }
        assertThat(after.snapshot()).isEqualTo(straight.snapshot());
        assertThat(after.appliedSlot()).isEqualTo(straight.appliedSlot());
    }

    /**
     * A view taken at any point, written after any number of later commands (and written again), holds
     * exactly the state at that point: the bytes {@code snapshot()} gave then, which restore to the
     * model's contents then, while the live machine still answers like the model.
     */
    @Property(tries = 300)
    void aViewWrittenLaterHoldsTheStateOfWhenItWasTaken(@ForAll("limits") KvLimits limits,
            @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 0, max = 100) int takePercent) {
        KvMachine machine = new KvMachine(limits);
        KvModel model = new KvModel(limits);
        int take = steps.size() * takePercent / 100;
        io.paxlog.api.SnapshotSource view = null;
        byte[] bytesThen = null;
        List<String> contentsThen = null;
        for (int i = 0; i <= steps.size(); i++) {
            if (i == take) {
                view = machine.snapshotSource();
                bytesThen = machine.snapshot();
                contentsThen = model.contents();
            }
            if (i == steps.size()) {
                break;
            }
            Planned planned = command(steps.get(i), model);
            String expected = planned.command() == null ? "rejected MALFORMED" : model.apply(i + 1, planned.command());
            assertThat(KvModel.describe(KvCommands.decodeResult(machine.apply(i + 1, planned.payload()))))
                    .isEqualTo(expected);
        }
        byte[] written = view.toByteArray();
        assertThat(written).as("written after %d more commands", steps.size() - take).isEqualTo(bytesThen);
        assertThat(view.toByteArray()).as("written twice").isEqualTo(written);
        KvMachine restored = new KvMachine(limits);
        restored.restore(written);
        assertThat(allEntries(restored)).isEqualTo(contentsThen);
        assertThat(allEntries(machine)).as("the live state went on").isEqualTo(model.contents());
    }

    /** The streamed snapshot is byte for byte what the array-based writer of earlier versions produced. */
    @Property(tries = 100)
    void theSnapshotBytesAreTheFormerFormatExactly(@ForAll("limits") KvLimits limits, @ForAll("steps") List<Step> steps) {
        KvMachine machine = new KvMachine(limits);
        List<byte[]> payloads = payloads(limits, steps);
        for (int i = 0; i < payloads.size(); i++) {
            machine.apply(i + 1, payloads.get(i));
        }
        io.paxlog.api.codec.Binary.Writer old = new io.paxlog.api.codec.Binary.Writer()
                .putInt(0x50584b56).putByte(1)
                .putInt(limits.keyBytesMax()).putInt(limits.valueBytesMax()).putInt(limits.storeBytesMax())
                .putInt(limits.listEntriesMax()).putInt(limits.listBytesMax())
                .putLong(machine.appliedSlot()).putInt(machine.size());
        byte[] after = new byte[0];
        boolean more = true;
        while (more) { // page by page: the limits cap each list
            KvResult.Page page = (KvResult.Page) machine.list(new byte[0], after, Integer.MAX_VALUE);
            for (KvResult.KvEntry entry : page.entries()) {
                old.putBytes(entry.key()).putLong(entry.version()).putBytes(entry.value());
                after = entry.key();
            }
            more = page.more();
        }
        assertThat(machine.snapshot()).isEqualTo(old.finishWithChecksum());
    }

    @Property(tries = 100)
    void theSameCommandsGiveTheSameSnapshotBytes(@ForAll("limits") KvLimits limits, @ForAll("steps") List<Step> steps) {
        List<byte[]> payloads = payloads(limits, steps);
        KvMachine one = new KvMachine(limits);
        KvMachine other = new KvMachine(limits);
        for (int i = 0; i < payloads.size(); i++) {
            one.apply(i + 1, payloads.get(i));
            // Queries between applies must change nothing.
            other.get(payloads.get(i).length > 6 ? Arrays.copyOfRange(payloads.get(i), 6, 7) : new byte[] {1});
            other.list(new byte[0], new byte[0], 2);
            other.apply(i + 1, payloads.get(i));
        }
        byte[] snapshot = one.snapshot();
        assertThat(other.snapshot()).isEqualTo(snapshot);
        KvMachine restored = new KvMachine(limits);
        restored.restore(snapshot);
        assertThat(restored.snapshot()).isEqualTo(snapshot);
    }

    @Property(tries = 300)
    void aDamagedSnapshotIsRefusedAndTheStateKept(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 1, max = 255) int flip,
            @ForAll boolean truncate) {
        KvMachine source = new KvMachine(ROOMY);
        List<byte[]> payloads = payloads(ROOMY, steps);
        for (int i = 0; i < payloads.size(); i++) {
            source.apply(i + 1, payloads.get(i));
        }
        byte[] snapshot = source.snapshot();
        int at = position % snapshot.length;
        byte[] damaged = truncate ? Arrays.copyOf(snapshot, at) : snapshot.clone();
        if (!truncate) {
            damaged[at] ^= (byte) flip;
        }
        KvMachine target = new KvMachine(ROOMY);
        target.apply(1, KvCommands.put(new byte[] {9}, new byte[] {9}));
        byte[] kept = target.snapshot();
        assertThatThrownBy(() -> target.restore(damaged)).isInstanceOf(IllegalArgumentException.class);
        assertThat(target.snapshot()).isEqualTo(kept);
    }

    @Property(tries = 300)
    void everyCommandRoundTripsAndNoProperPrefixDecodes(@ForAll("step") Step step) {
        Planned planned = command(step, new KvModel(ROOMY));
        if (planned.command() == null) {
            assertThatThrownBy(() -> KvCommands.decodeCommand(planned.payload()))
                    .isInstanceOf(IllegalArgumentException.class);
            return;
        }
        assertThat(KvCommands.decodeCommand(planned.payload())).isEqualTo(planned.command());
        for (int cut = 0; cut < planned.payload().length; cut++) {
            byte[] prefix = Arrays.copyOf(planned.payload(), cut);
            assertThatThrownBy(() -> KvCommands.decodeCommand(prefix)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 300)
    void everyResultRoundTrips(@ForAll("limits") KvLimits limits, @ForAll("steps") List<Step> steps) {
        KvMachine machine = new KvMachine(limits);
        List<byte[]> payloads = payloads(limits, steps);
        for (int i = 0; i < payloads.size(); i++) {
            byte[] bytes = machine.apply(i + 1, payloads.get(i));
            KvResult result = KvCommands.decodeResult(bytes);
            assertThat(KvCommands.encodeResult(result)).isEqualTo(bytes);
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] prefix = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> KvCommands.decodeResult(prefix)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    // ---- Driving ----

    /** The payloads the steps make when run in order from an empty store. */
    static List<byte[]> payloads(KvLimits limits, List<Step> steps) {
        KvModel model = new KvModel(limits);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Planned planned = command(steps.get(i), model);
            if (planned.command() != null) {
                model.apply(i + 1, planned.command());
            }
            payloads.add(planned.payload());
        }
        return payloads;
    }

    static Planned command(Step step, KvModel model) {
        long current = model.version(step.key());
        long expected = step.useCurrentVersion() && current != 0 ? current : step.versionGuess();
        KvCommand command = switch (step.op()) {
            case 0 -> new KvCommand.Get(step.key());
            case 1, 5 -> new KvCommand.Put(step.key(), step.value(), switch (step.condition()) {
                case 0 -> Condition.always();
                case 1 -> Condition.versionIs(expected);
                default -> Condition.absent();
            });
            case 2 -> new KvCommand.Delete(step.key(),
                    step.condition() == 1 ? Condition.versionIs(expected) : Condition.always());
            case 3 -> new KvCommand.ListPrefix(
                    Arrays.copyOf(step.key(), (int) Math.min(step.key().length, step.versionGuess() % 3)),
                    step.other(), step.limit());
            default -> null;
        };
        if (step.op() == 5) {
            // A put cut short: the format is self-delimiting, so this never decodes.
            byte[] whole = KvCommands.encode(command);
            return new Planned(Arrays.copyOf(whole, whole.length - 1 - Math.floorMod(step.limit(), 4)), null);
        }
        if (command == null) {
            // Another format: never a command, whatever follows.
            byte[] garbage = new byte[step.other().length + 1];
            garbage[0] = 2;
            System.arraycopy(step.other(), 0, garbage, 1, step.other().length);
            return new Planned(garbage, null);
        }
        return new Planned(KvCommands.encode(command), command);
    }

    /** Every entry of the machine, read through its list query page by page. */
    static List<String> allEntries(KvMachine machine) {
        List<String> lines = new ArrayList<>();
        byte[] after = new byte[0];
        while (true) {
            KvResult.Page page = (KvResult.Page) machine.list(new byte[0], after, 2);
            for (KvResult.KvEntry entry : page.entries()) {
                lines.add(HexFormat.of().formatHex(entry.key()) + "=" + HexFormat.of().formatHex(entry.value())
                        + " v" + entry.version());
                after = entry.key();
            }
            if (!page.more()) {
                return lines;
            }
        }
    }

    // ---- Generators ----

    @Provide
    Arbitrary<KvLimits> limits() {
        return Arbitraries.of(TIGHT, ROOMY);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return step().list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<Step> step() {
        Arbitrary<Integer> op = Arbitraries.integers().between(0, 11).map(n -> switch (n) {
            case 0, 1 -> 0;
            case 2, 3, 4, 5 -> 1;
            case 6, 7 -> 2;
            case 8, 9 -> 3;
            case 10 -> 5;
            default -> 4;
        });
        return Combinators.combine(op, bytes(0, 4), bytes(0, 7), bytes(0, 4), Arbitraries.integers().between(0, 2),
                Arbitraries.of(true, true, false), Arbitraries.longs().between(1, 60), Arbitraries.integers().between(-1, 5))
                .as(Step::new);
    }

    private static Arbitrary<byte[]> bytes(int minSize, int maxSize) {
        return Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 'a', (byte) 0x7f, (byte) 0x80, (byte) 0xff)
                .list().ofMinSize(minSize).ofMaxSize(maxSize)
                .map(list -> {
                    byte[] out = new byte[list.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = list.get(i);
                    }
                    return out;
                });
    }
}
