package io.paxlog.core;

import io.paxlog.api.Command;
import io.paxlog.api.codec.Binary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which membership governs which slot (docs/membership.md#the-alpha-window): a change chosen at slot
 * {@code x} governs the slots from {@code x + alpha} on. So the membership governing slot {@code s} is
 * the one after applying slots {@code 1..s - alpha}, known as soon as those are applied; the leader
 * never proposes a slot whose governing membership it does not know.
 *
 * <p>Holds the membership after the applied slot and every earlier one that still governs a slot
 * above it. Applied slots arrive in order ({@link #apply}); a snapshot carries the whole history
 * ({@link #encode}), since the changes of its last {@code alpha} slots govern slots after it.
 *
 * <p>Thread: owned by the thread that steps its {@link Replica} (or the simulator's checker).
 */
public final class MembershipHistory {

    /** A membership in force after applying {@code slot}. */
    private record Since(long slot, Membership membership) {}

    private static final int SNAPSHOT_MAGIC = 0x4D484953; // "MHIS"

    /** In slot order; the first one governs every slot the others do not. Never empty. */
    private final List<Since> history = new ArrayList<>();
    private long appliedSlot;
    private final boolean prune;

    /** The seed, in force from slot 0; {@code prune} drops memberships that govern no unapplied slot. */
    public MembershipHistory(Membership seed, boolean prune) {
        this.history.add(new Since(0, seed));
        this.prune = prune;
    }

    /**
     * The seed alone, applied through {@code appliedSlot}: the history of a snapshot written before
     * memberships were replicated state, when the seed governed every slot.
     */
    public static MembershipHistory seedAt(Membership seed, long appliedSlot) {
        return new MembershipHistory(List.of(new Since(0, seed)), appliedSlot);
    }

    private MembershipHistory(List<Since> history, long appliedSlot) {
        this.history.addAll(history);
        this.appliedSlot = appliedSlot;
        this.prune = true;
    }

    public long appliedSlot() {
        return appliedSlot;
    }

    public int alpha() {
        return latest().alpha();
    }

    /** The membership after the applied slot: what the next change is checked against. */
    public Membership latest() {
        return history.get(history.size() - 1).membership();
    }

    /** Whether the membership governing {@code slot} is known: slots up to {@code slot - alpha} are applied. */
    public boolean knowsGoverning(long slot) {
        return slot - alpha() <= appliedSlot;
    }

    /** The highest slot whose governing membership is known: a leader proposes no slot above it. */
    public long governedThrough() {
        return appliedSlot + alpha();
    }

    /** The membership governing {@code slot}: the one after applying slot {@code slot - alpha}. */
    public Membership governing(long slot) {
        if (!knowsGoverning(slot)) {
            throw new IllegalStateException("the membership governing slot " + slot + " depends on slot "
                    + (slot - alpha()) + ", above the applied slot " + appliedSlot);
        }
        long after = slot - alpha();
        Membership governing = history.get(0).membership();
        if (after < history.get(0).slot() && history.get(0).slot() > 0) {
            throw new IllegalStateException("the membership governing slot " + slot + " was pruned (history from slot "
                    + history.get(0).slot() + ")");
        }
        for (Since since : history) {
            if (since.slot() <= after) {
                governing = since.membership();
            } else {
                break;
            }
        }
        return governing;
    }

    /** The distinct memberships governing slots {@code from..to}, oldest first; {@code to} must be known. */
    public List<Membership> governingRange(long from, long to) {
        Set<Membership> range = new LinkedHashSet<>();
        range.add(governing(from));
        for (Since since : history) {
            long first = since.slot() + alpha(); // the first slot this one governs
            if (first > from && first <= to) {
                range.add(since.membership());
            }
        }
        return List.copyOf(range);
    }

    /** Whether {@code servers} hold a majority of every membership governing slots {@code from..to}. */
    public boolean isQuorumOfEach(long from, long to, Set<Integer> servers) {
        for (Membership membership : governingRange(from, to)) {
            if (!membership.isQuorum(servers)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Slot {@code slot} was applied with {@code command}. Returns what a change did, or null for any
     * other command.
     */
    public MembershipChange.Result apply(long slot, Command command) {
        if (slot != appliedSlot + 1) {
            throw new IllegalStateException("applied slot " + slot + " after slot " + appliedSlot);
        }
        appliedSlot = slot;
        MembershipChange.Result result = null;
        if (MembershipChange.isChange(command)) {
            result = latest().apply(MembershipChange.of(command));
            if (result.applied()) {
                history.add(new Since(slot, result.membership()));
            }
        }
        if (prune) {
            // Keep the newest membership that governs slot applied + 1, and everything after it.
            long after = appliedSlot + 1 - alpha();
            while (history.size() > 1 && history.get(1).slot() <= after) {
                history.remove(0);
            }
        }
        return result;
    }

    /** Every server a membership still governing an unapplied slot, or the latest one, lists. */
    public Set<Integer> involved() {
        Set<Integer> all = new LinkedHashSet<>();
        for (Membership membership : governingRange(appliedSlot + 1, governedThrough())) {
            all.addAll(membership.all());
        }
        all.addAll(latest().all());
        return all;
    }

    /** Voters of the memberships governing the next {@code alpha} slots, and of the latest one. */
    public Set<Integer> involvedVoters() {
        Set<Integer> all = new LinkedHashSet<>();
        for (Membership membership : governingRange(appliedSlot + 1, governedThrough())) {
            all.addAll(membership.voters());
        }
        all.addAll(latest().voters());
        return all;
    }

    /** The history as a snapshot at the applied slot carries it. */
    public byte[] encode() {
        Binary.Writer out = new Binary.Writer();
        out.putInt(SNAPSHOT_MAGIC).putLong(appliedSlot).putInt(history.size());
        for (Since since : history) {
            out.putLong(since.slot());
            since.membership().writeTo(out);
        }
        return out.finish();
    }

    public static MembershipHistory decode(byte[] bytes) {
        Binary.Reader in = new Binary.Reader(bytes, "membership history");
        if (in.getInt() != SNAPSHOT_MAGIC) {
            throw new IllegalArgumentException("not a membership history (bad magic)");
        }
        long appliedSlot = in.getLong();
        int size = in.getInt();
        if (size < 1 || size > 1 << 20) {
            throw new IllegalArgumentException("membership history of " + size + " entries");
        }
        List<Since> history = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            history.add(new Since(in.getLong(), Membership.readFrom(in)));
        }
        in.expectEnd();
        return new MembershipHistory(history, appliedSlot);
    }

    @Override
    public String toString() {
        return "membership " + latest() + " after slot " + appliedSlot;
    }
}
