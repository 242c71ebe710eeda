package io.paxlog.core;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.codec.Binary;
import java.util.Arrays;

/**
 * The layout of a snapshot's bytes: the core's part (the membership history at the snapshot's slot,
 * docs/membership.md#snapshots) in front of the replicated state's (the exactly-once table and the
 * state machine), so that a server installing a snapshot knows which membership governs the slots
 * after it.
 *
 * <p>{@code [int magic][int length][membership history][the rest: exactly-once snapshot]}.
 */
public final class CoreSnapshot {

    private static final int MAGIC = 0x434F5245; // "CORE"

    /**
     * A snapshot split in its two parts.
     *
     * @param memberships null for a snapshot written before memberships were replicated state (no
     *     membership part): its whole content is the state, and the seed governed every slot
     */
    public record Parts(MembershipHistory memberships, byte[] state) {}

    private CoreSnapshot() {}

    /** The snapshot of {@code memberships} (frozen now) followed by {@code state}. */
    public static SnapshotSource wrap(MembershipHistory memberships, SnapshotSource state) {
        byte[] core = memberships.encode();
        byte[] prefix = new Binary.Writer(core.length + 8).putInt(MAGIC).putInt(core.length).finish();
        return out -> {
            out.write(prefix);
            out.write(core);
            state.writeTo(out);
        };
    }

    public static Parts split(byte[] snapshot) {
        Binary.Reader in = new Binary.Reader(snapshot, "snapshot");
        if (snapshot.length < 8 || in.getInt() != MAGIC) {
            // Written before memberships were in snapshots: a data directory (or a peer) of the release
            // before must still load. The state's own frame checks what follows.
            return new Parts(null, snapshot);
        }
        int length = in.getInt();
        if (length < 0 || length > snapshot.length - 8) {
            throw new IllegalArgumentException("snapshot's membership part of " + length + " bytes overruns it");
        }
        MembershipHistory memberships = MembershipHistory.decode(Arrays.copyOfRange(snapshot, 8, 8 + length));
        return new Parts(memberships, Arrays.copyOfRange(snapshot, 8 + length, snapshot.length));
    }
}
