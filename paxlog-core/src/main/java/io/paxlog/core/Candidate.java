package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * docs/protocol.md#becoming-leader, steps 1-3: send overthrow(e) to every voter, itself included, and
 * wait for a majority of promises: a majority of every membership that governs one of the next
 * {@code alpha} slots (docs/membership.md#takeover), all of which this server knows from its applied
 * prefix. The takeover gathers the promises it needs for later slots as it gets to them.
 *
 * <p>Its own promise must be among them. Otherwise a candidate could lead at e while its own promise
 * of e is not yet durable; after a crash it would pick e again and store different commands in the
 * same slots under the same epoch.
 */
final class Candidate {

    private final Replica replica;
    private final Epoch epoch;
    private final Set<Integer> acked = new HashSet<>();
    private final Map<Integer, Long> snapshotSlots = new HashMap<>();
    private long lastUsedSlotMax;
    private long resendAt;

    Candidate(Replica replica, Epoch epoch) {
        this.replica = replica;
        this.epoch = epoch;
    }

    Epoch epoch() {
        return epoch;
    }

    void begin() {
        replica.out().send(replica.selfId(), new Overthrow(epoch));
        for (int member : replica.memberships().involvedVoters()) {
            if (member != replica.selfId()) {
                replica.out().send(member, new Overthrow(epoch));
            }
        }
        resendAt = replica.now() + replica.config().heartbeatIntervalMs();
    }

    void tick(long now) {
        if (now < resendAt) {
            return;
        }
        resendAt = now + replica.config().heartbeatIntervalMs();
        for (int member : replica.memberships().involvedVoters()) {
            if (!acked.contains(member) && member != replica.selfId()) {
                replica.out().send(member, new Overthrow(epoch));
            }
        }
    }

    void overthrowOk(int from, OverthrowOk ok) {
        acked.add(from);
        lastUsedSlotMax = Math.max(lastUsedSlotMax, ok.lastUsedSlot());
        if (ok.snapshotSlot() > 0) {
            snapshotSlots.put(from, ok.snapshotSlot());
        }
        if (acked.contains(replica.selfId()) && promiseQuorum(acked)) {
            replica.becomeLeader(epoch, acked, lastUsedSlotMax, snapshotSlots);
        }
    }

    /** A majority of every membership governing the next alpha slots: all of them, after the applied prefix. */
    private boolean promiseQuorum(Set<Integer> promised) {
        MembershipHistory memberships = replica.memberships();
        return memberships.isQuorumOfEach(replica.appliedSlot() + 1, memberships.governedThrough(), promised);
    }
}
