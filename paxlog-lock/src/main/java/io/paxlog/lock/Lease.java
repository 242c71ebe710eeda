package io.paxlog.lock;

import java.util.Objects;

/**
 * A held lock.
 *
 * @param name        the lock
 * @param holder      the owner it was granted to
 * @param token       the fencing token: the slot of the command that granted it. Strictly greater than
 *                    the token of every earlier grant of this lock (slots only grow), and kept when the
 *                    holder renews, so a resource that checks tokens sees one holder's tenure as one token
 * @param ttlMs       the lease the last grant or renewal asked for
 * @param renewedSlot the slot of the last grant or renewal; the lease runs out {@code ttlMs} after the
 *                    leader saw this slot applied (or, after a leader change, after the new leader took
 *                    over). Invariant: {@code renewedSlot >= token}
 */
public record Lease(String name, String holder, long token, long ttlMs, long renewedSlot) {

    public Lease {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        if (token < 1 || renewedSlot < token || ttlMs < 1) {
            throw new IllegalArgumentException("a lease needs 1 <= token <= renewedSlot and ttlMs >= 1, had token "
                    + token + ", renewedSlot " + renewedSlot + ", ttlMs " + ttlMs);
        }
    }
}
