package io.paxlog.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random acquire/release/expire/show sequences: against a plain model, against the safety properties
 * of a lock service read off the results alone, and against never snapshotting. A few names and owners
 * make contention the common case; expires name the current lease, an older one of the same lock, or
 * made-up numbers; the tight limits make every refusal happen.
 */
class LockPropertyTest {

    static final LockLimits TIGHT = new LockLimits(4, 4, 100, 2);
    static final LockLimits ROOMY = new LockLimits(64, 64, 1_000_000, 1000);

    record Step(int op, String name, String owner, long ttlMs, int expireMode, long tokenGuess, long renewedGuess) {}

    /** A command's payload, and the command (null when the payload is malformed on purpose). */
    record Planned(byte[] payload, LockCommand command) {}

    /** Turns steps into commands, choosing expires from the leases it has seen granted. */
    static final class Planner {
        private final Map<String, List<Lease>> history = new HashMap<>();
        private final LockMachine reference;

        Planner(LockMachine reference) {
            this.reference = reference;
        }

        Planned plan(Step step) {
            LockCommand command = switch (step.op()) {
                case 0, 4 -> new LockCommand.Acquire(step.name(), step.owner(), step.ttlMs());
                case 1 -> new LockCommand.Release(step.name(), step.owner());
                case 2 -> expire(step);
                default -> new LockCommand.Show(step.name());
            };
            if (step.op() == 4) {
                byte[] whole = LockCommands.encode(command);
                return new Planned(Arrays.copyOf(whole, whole.length - 1 - (int) (step.tokenGuess() % 4)), null);
            }
            return new Planned(LockCommands.encode(command), command);
        }

        /** Records what the reference machine holds after a step, for later expires. */
        void observe() {
            reference.leases().forEachRemaining(lease -> {
                List<Lease> seen = history.computeIfAbsent(lease.name(), n -> new ArrayList<>());
                if (!seen.contains(lease)) {
                    seen.add(lease);
                }
            });
        }

        private LockCommand expire(Step step) {
            List<Lease> seen = history.getOrDefault(step.name(), List.of());
            Lease current = reference.show(step.name()).orElse(null);
            if (step.expireMode() == 0 && current != null) {
                return new LockCommand.Expire(step.name(), current.token(), current.renewedSlot());
            }
            if (step.expireMode() == 1 && !seen.isEmpty()) {
                Lease old = seen.get((int) (step.tokenGuess() % seen.size()));
                return new LockCommand.Expire(step.name(), old.token(), old.renewedSlot());
            }
            return new LockCommand.Expire(step.name(), step.tokenGuess(), step.renewedGuess());
        }
    }

    @Property(tries = 400)
    void theMachineAnswersLikeTheModel(@ForAll("limits") LockLimits limits, @ForAll("steps") List<Step> steps) {
        LockMachine machine = new LockMachine(limits);
        Planner planner = new Planner(machine);
        Map<String, Lease> model = new TreeMap<>();
        long slot = 0;
        for (int i = 0; i < steps.size(); i++) {
            slot += 1 + i % 4;
            Planned planned = planner.plan(steps.get(i));
            String expected = planned.command() == null ? "rejected MALFORMED" : model(limits, model, slot, planned.command());
            String actual = describe(LockCommands.decodeResult(machine.apply(slot, planned.payload())));
            assertThat(actual).as("step %d at slot %d: %s", i, slot, planned.command()).isEqualTo(expected);
            planner.observe();
        }
        List<Lease> held = new ArrayList<>();
        machine.leases().forEachRemaining(held::add);
        assertThat(held).containsExactlyElementsOf(model.values());
    }

    /**
     * Read off the results alone: a lock never has two holders, every new grant of a lock carries a
     * greater token than the one before, a renewal keeps the holder's token, and only an expire naming
     * the exact current lease frees a lock.
     */
    @Property(tries = 400)
    void neverTwoHoldersAndTokensOnlyGrow(@ForAll("limits") LockLimits limits, @ForAll("steps") List<Step> steps) {
        LockMachine machine = new LockMachine(limits);
        Planner planner = new Planner(machine);
        Map<String, Lease> holders = new HashMap<>();
        Map<String, Long> lastToken = new HashMap<>();
        long slot = 0;
        for (int i = 0; i < steps.size(); i++) {
            slot += 1 + i % 4;
            Planned planned = planner.plan(steps.get(i));
            LockResult result = LockCommands.decodeResult(machine.apply(slot, planned.payload()));
            LockCommand command = planned.command();
            String what = "step " + i + ": " + command + " -> " + result;
            if (result instanceof LockResult.Granted granted) {
                LockCommand.Acquire acquire = (LockCommand.Acquire) command;
                Lease before = holders.get(acquire.name());
                if (granted.renewed()) {
                    assertThat(before).as(what).isNotNull();
                    assertThat(before.holder()).as(what).isEqualTo(acquire.owner());
                    assertThat(granted.token()).as(what).isEqualTo(before.token());
                } else {
                    assertThat(before).as(what + ": a second holder").isNull();
                    assertThat(granted.token()).as(what).isGreaterThan(lastToken.getOrDefault(acquire.name(), 0L));
                    lastToken.put(acquire.name(), granted.token());
                }
                holders.put(acquire.name(), new Lease(acquire.name(), acquire.owner(), granted.token(), granted.ttlMs(), slot));
            } else if (result instanceof LockResult.Released released) {
                LockCommand.Release release = (LockCommand.Release) command;
                assertThat(holders.get(release.name()).holder()).as(what).isEqualTo(release.owner());
                assertThat(released.token()).as(what).isEqualTo(holders.remove(release.name()).token());
            } else if (result instanceof LockResult.Expired) {
                LockCommand.Expire expire = (LockCommand.Expire) command;
                Lease current = holders.remove(expire.name());
                assertThat(current).as(what).isNotNull();
                assertThat(current.token()).as(what + ": a stale expire freed the lock").isEqualTo(expire.token());
                assertThat(current.renewedSlot()).as(what + ": an expire freed a renewed lease").isEqualTo(expire.renewedSlot());
            } else if (command instanceof LockCommand.Expire expire) {
                // Anything but Expired: the holder, if any, is untouched.
                assertThat(machine.show(expire.name()).orElse(null)).as(what).isEqualTo(holders.get(expire.name()));
            }
            planner.observe();
        }
        for (Map.Entry<String, Lease> entry : holders.entrySet()) {
            assertThat(machine.show(entry.getKey())).contains(entry.getValue());
        }
        assertThat(machine.size()).isEqualTo(holders.size());
    }

    @Property(tries = 200)
    void snapshotRestoreAndContinueEqualsNeverSnapshotting(@ForAll("limits") LockLimits limits,
            @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 0, max = 100) int splitPercent) {
        List<byte[]> payloads = payloads(limits, steps);
        int split = payloads.size() * splitPercent / 100;
        LockMachine straight = new LockMachine(limits);
        LockMachine before = new LockMachine(limits);
        LockMachine after = new LockMachine(limits);
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
    }

    /**
     * A view taken at any point, written after any number of later commands (and written again), holds
     * exactly the locks of that point: the bytes {@code snapshot()} gave then, restoring to the leases then;
     * the leases iterator taken then sees them too, while the live machine went on.
     */
    @Property(tries = 300)
    void aViewWrittenLaterHoldsTheLocksOfWhenItWasTaken(@ForAll("limits") LockLimits limits,
            @ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 0, max = 100) int takePercent) {
        List<byte[]> payloads = payloads(limits, steps);
        int take = payloads.size() * takePercent / 100;
        LockMachine machine = new LockMachine(limits);
        LockMachine reference = new LockMachine(limits);
        for (int i = 0; i < take; i++) {
            machine.apply(i + 1, payloads.get(i));
            reference.apply(i + 1, payloads.get(i));
        }
        io.paxlog.api.SnapshotSource view = machine.snapshotSource();
        byte[] bytesThen = machine.snapshot();
        java.util.Iterator<Lease> leasesThen = machine.leases();
        for (int i = take; i < payloads.size(); i++) {
            machine.apply(i + 1, payloads.get(i));
        }
        byte[] written = view.toByteArray();
        assertThat(written).as("written after %d more commands", payloads.size() - take).isEqualTo(bytesThen);
        assertThat(view.toByteArray()).as("written twice").isEqualTo(written);
        LockMachine restored = new LockMachine(limits);
        restored.restore(written);
        List<Lease> expected = new ArrayList<>();
        reference.leases().forEachRemaining(expected::add);
        List<Lease> fromView = new ArrayList<>();
        restored.leases().forEachRemaining(fromView::add);
        List<Lease> fromIterator = new ArrayList<>();
        leasesThen.forEachRemaining(fromIterator::add);
        assertThat(fromView).isEqualTo(expected);
        assertThat(fromIterator).isEqualTo(expected);
        assertThat(restored.appliedSlot()).isEqualTo(reference.appliedSlot());
    }

    @Property(tries = 100)
    void theSameCommandsGiveTheSameSnapshotBytes(@ForAll("limits") LockLimits limits, @ForAll("steps") List<Step> steps) {
        List<byte[]> payloads = payloads(limits, steps);
        LockMachine one = new LockMachine(limits);
        LockMachine other = new LockMachine(limits);
        for (int i = 0; i < payloads.size(); i++) {
            one.apply(i + 1, payloads.get(i));
            other.leases().forEachRemaining(lease -> other.show(lease.name()));
            other.apply(i + 1, payloads.get(i));
        }
        byte[] snapshot = one.snapshot();
        assertThat(other.snapshot()).isEqualTo(snapshot);
        LockMachine restored = new LockMachine(limits);
        restored.restore(snapshot);
        assertThat(restored.snapshot()).isEqualTo(snapshot);
    }

    @Property(tries = 300)
    void aDamagedSnapshotIsRefusedAndTheStateKept(@ForAll("steps") List<Step> steps,
            @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 1, max = 255) int flip,
            @ForAll boolean truncate) {
        LockMachine source = new LockMachine(ROOMY);
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
        LockMachine target = new LockMachine(ROOMY);
        target.apply(1, LockCommands.acquire("kept", "owner", 10));
        byte[] kept = target.snapshot();
        assertThatThrownBy(() -> target.restore(damaged)).isInstanceOf(IllegalArgumentException.class);
        assertThat(target.snapshot()).isEqualTo(kept);
    }

    @Property(tries = 300)
    void commandsAndResultsRoundTripAndNoProperPrefixDecodes(@ForAll("limits") LockLimits limits,
            @ForAll("steps") List<Step> steps) {
        LockMachine machine = new LockMachine(limits);
        Planner planner = new Planner(machine);
        for (int i = 0; i < steps.size(); i++) {
            Planned planned = planner.plan(steps.get(i));
            if (planned.command() != null) {
                assertThat(LockCommands.decodeCommand(planned.payload())).isEqualTo(planned.command());
                assertNoPrefixDecodes(planned.payload(), true);
            }
            byte[] result = machine.apply(i + 1, planned.payload());
            assertThat(LockCommands.encodeResult(LockCommands.decodeResult(result))).isEqualTo(result);
            assertNoPrefixDecodes(result, false);
            planner.observe();
        }
    }

    private static void assertNoPrefixDecodes(byte[] bytes, boolean command) {
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] prefix = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> {
                if (command) {
                    LockCommands.decodeCommand(prefix);
                } else {
                    LockCommands.decodeResult(prefix);
                }
            }).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- The model ----

    /** The lock service written plainly; refusals by code only. */
    static String model(LockLimits limits, Map<String, Lease> locks, long slot, LockCommand command) {
        if (command instanceof LockCommand.Acquire acquire) {
            if (bad(acquire.name(), limits.nameBytesMax()) || bad(acquire.owner(), limits.ownerBytesMax())
                    || acquire.ttlMs() < 1 || acquire.ttlMs() > limits.ttlMsMax()) {
                return "rejected INVALID_ARGUMENT";
            }
            Lease current = locks.get(acquire.name());
            if (current == null && locks.size() == limits.locksMax()) {
                return "rejected TOO_MANY_LOCKS";
            }
            if (current == null) {
                locks.put(acquire.name(), new Lease(acquire.name(), acquire.owner(), slot, acquire.ttlMs(), slot));
                return "granted " + slot + " " + acquire.ttlMs();
            }
            if (!current.holder().equals(acquire.owner())) {
                return "held " + current;
            }
            locks.put(acquire.name(), new Lease(acquire.name(), acquire.owner(), current.token(), acquire.ttlMs(), slot));
            return "granted " + current.token() + " " + acquire.ttlMs() + " renewed";
        }
        if (command instanceof LockCommand.Release release) {
            if (bad(release.name(), limits.nameBytesMax()) || bad(release.owner(), limits.ownerBytesMax())) {
                return "rejected INVALID_ARGUMENT";
            }
            Lease current = locks.get(release.name());
            if (current == null) {
                return "free";
            }
            if (!current.holder().equals(release.owner())) {
                return "held " + current;
            }
            locks.remove(release.name());
            return "released " + current.token();
        }
        if (command instanceof LockCommand.Expire expire) {
            if (bad(expire.name(), limits.nameBytesMax()) || expire.token() < 1 || expire.renewedSlot() < expire.token()) {
                return "rejected INVALID_ARGUMENT";
            }
            Lease current = locks.get(expire.name());
            if (current == null) {
                return "free";
            }
            if (current.token() != expire.token() || current.renewedSlot() != expire.renewedSlot()) {
                return "held " + current;
            }
            locks.remove(expire.name());
            return "expired " + current.holder() + " " + current.token();
        }
        LockCommand.Show show = (LockCommand.Show) command;
        if (bad(show.name(), limits.nameBytesMax())) {
            return "rejected INVALID_ARGUMENT";
        }
        Lease current = locks.get(show.name());
        return current == null ? "free" : "held " + current;
    }

    private static boolean bad(String text, int bytesMax) {
        return text.isEmpty() || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > bytesMax;
    }

    static String describe(LockResult result) {
        if (result instanceof LockResult.Granted granted) {
            return "granted " + granted.token() + " " + granted.ttlMs() + (granted.renewed() ? " renewed" : "");
        } else if (result instanceof LockResult.Held held) {
            return "held " + held.lease();
        } else if (result instanceof LockResult.Free) {
            return "free";
        } else if (result instanceof LockResult.Released released) {
            return "released " + released.token();
        } else if (result instanceof LockResult.Expired expired) {
            return "expired " + expired.holder() + " " + expired.token();
        }
        return "rejected " + ((LockResult.Rejected) result).code();
    }

    // ---- Driving and generators ----

    static List<byte[]> payloads(LockLimits limits, List<Step> steps) {
        LockMachine reference = new LockMachine(limits);
        Planner planner = new Planner(reference);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Planned planned = planner.plan(steps.get(i));
            reference.apply(i + 1, planned.payload());
            planner.observe();
            payloads.add(planned.payload());
        }
        return payloads;
    }

    @Provide
    Arbitrary<LockLimits> limits() {
        return Arbitraries.of(TIGHT, ROOMY);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> op = Arbitraries.integers().between(0, 9).map(n -> switch (n) {
            case 0, 1, 2, 3 -> 0;
            case 4, 5 -> 1;
            case 6, 7 -> 2;
            case 8 -> 3;
            default -> 4;
        });
        Arbitrary<String> names = Arbitraries.of("a", "b", "c", "a", "b", "c", "", "toolong", "é€");
        Arbitrary<String> owners = Arbitraries.of("x", "y", "z", "x", "y", "", "toolong");
        Arbitrary<Long> ttls = Arbitraries.of(1L, 50L, 100L, 5000L, 0L, -1L, 100_001L);
        return Combinators.combine(op, names, owners, ttls, Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(0, 120), Arbitraries.longs().between(0, 130))
                .as(Step::new).list().ofMaxSize(60);
    }
}
