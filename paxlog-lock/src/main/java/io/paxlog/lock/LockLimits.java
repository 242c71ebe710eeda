package io.paxlog.lock;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounds a {@link LockMachine} enforces while applying commands. They decide results, so they are
 * part of the replicated behaviour: every server of a cluster must use the same ones. A snapshot records
 * them, and a machine refuses a snapshot taken under other limits.
 *
 * @param nameBytesMax  longest lock name, in UTF-8 bytes
 * @param ownerBytesMax longest owner, in UTF-8 bytes
 * @param ttlMsMax      longest lease a grant or renewal may ask for (the shortest is 1 ms)
 * @param locksMax      most locks held at once; a grant of one more is refused, renewals are not
 */
public record LockLimits(int nameBytesMax, int ownerBytesMax, long ttlMsMax, int locksMax) {

    public static final int NAME_BYTES_MAX_DEFAULT = 256;
    public static final int OWNER_BYTES_MAX_DEFAULT = 256;
    public static final long TTL_MS_MAX_DEFAULT = 24L * 60 * 60 * 1000;
    public static final int LOCKS_MAX_DEFAULT = 100_000;

    public static final LockLimits DEFAULTS = new LockLimits(NAME_BYTES_MAX_DEFAULT, OWNER_BYTES_MAX_DEFAULT,
            TTL_MS_MAX_DEFAULT, LOCKS_MAX_DEFAULT);

    public LockLimits {
        List<String> problems = new ArrayList<>();
        if (nameBytesMax < 1) {
            problems.add("nameBytesMax: must be positive, was " + nameBytesMax);
        }
        if (ownerBytesMax < 1) {
            problems.add("ownerBytesMax: must be positive, was " + ownerBytesMax);
        }
        if (ttlMsMax < 1) {
            problems.add("ttlMsMax: must be positive, was " + ttlMsMax);
        }
        if (locksMax < 1) {
            problems.add("locksMax: must be positive, was " + locksMax);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
