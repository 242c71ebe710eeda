package io.paxlog.server;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.core.Apply;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Replica;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.ReplicaLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INFO lines an operator reads: one per leadership change, per rejection by a higher epoch, per
 * catch-up of a lagging follower (start and end), per snapshot taken or restored (a restore from
 * another server is how a follower behind the leader's snapshot catches up). Nothing per command.
 *
 * <p>Watches the core from outside: after each step ({@link ReplicaLoop.Observer}) and before each
 * message is handed in ({@link #received}). Catch-up is not an event of the core, so it is inferred on
 * the leader from its followers' query replies: a follower more than {@code catchUpLagSlots} slots
 * behind the leader's first unfinalized slot is catching up; it has caught up once it is back within
 * half that (the gap keeps one slow follower from printing a line per heartbeat).
 *
 * <p>The line formats are read by {@code paxlog demo}; change them together.
 *
 * <p>Thread: the loop thread only.
 */
final class ProtocolEventLog implements ReplicaLoop.Observer {

    private static final Logger LOG = LoggerFactory.getLogger("io.paxlog.server.protocol");

    private final int selfId;
    private final long catchUpLagSlots;
    private Role role = Role.PASSIVE;
    private Epoch ownEpoch;
    private int leaderHint;
    /** Highest promise a rejection told us of; rejections at or below it were logged already. */
    private Epoch rejectionLogged = Epoch.ZERO;
    /** Followers being caught up: id to the slot they were at when it started. */
    private final Map<Integer, Long> catchingUpFrom = new HashMap<>();
    private final Map<Integer, Long> catchingUpSince = new HashMap<>();

    ProtocolEventLog(int selfId, long catchUpLagSlots) {
        this.selfId = selfId;
        this.catchUpLagSlots = catchUpLagSlots;
    }

    /** A message is about to be handed to the core; {@code nowMs} is the loop's clock. */
    void received(Replica replica, Envelope envelope, long nowMs) {
        switch (envelope.message().kind()) {
            case REJECTED -> {
                Rejected rejected = (Rejected) envelope.message();
                if (rejected.promised().isAbove(rejectionLogged)) {
                    rejectionLogged = rejected.promised();
                    LOG.info("server {}: server {} rejected our {} at epoch {}: it promised epoch {}", selfId,
                            envelope.from(), rejected.request().name().toLowerCase(java.util.Locale.ROOT),
                            rejected.epoch(), rejected.promised());
                }
            }
            case QUERY_REPLY -> {
                if (replica.role() == Role.LEADER && envelope.message().epoch().equals(replica.ownEpoch())) {
                    followerAt(envelope.from(), ((QueryReply) envelope.message()).firstUnfinalizedSlot(),
                            replica.firstUnfinalizedSlot(), nowMs);
                }
            }
            default -> { }
        }
    }

    private void followerAt(int follower, long followerSlot, long ownSlot, long nowMs) {
        long lag = ownSlot - followerSlot;
        Long from = catchingUpFrom.get(follower);
        if (from == null && lag > catchUpLagSlots) {
            catchingUpFrom.put(follower, followerSlot);
            catchingUpSince.put(follower, nowMs);
            LOG.info("server {}: catching up server {}: it is {} slots behind (at slot {}, leader at {})", selfId,
                    follower, lag, followerSlot, ownSlot);
        } else if (from != null && lag <= catchUpLagSlots / 2) {
            catchingUpFrom.remove(follower);
            long since = catchingUpSince.remove(follower);
            LOG.info("server {}: server {} caught up: slot {} reached from {} in {} ms", selfId, follower, followerSlot,
                    from, nowMs - since);
        }
    }

    @Override
    public void stepped(Replica replica, Effects effects) {
        Role now = replica.role();
        if (now == Role.LEADER && role != Role.LEADER) {
            ownEpoch = replica.ownEpoch();
            LOG.info("server {}: became leader at epoch {}", selfId, ownEpoch);
        } else if (now != Role.LEADER && role == Role.LEADER) {
            int hint = replica.leaderHint();
            LOG.info("server {}: stepped down from epoch {}: {}", selfId, ownEpoch,
                    hint != 0 ? "server " + hint + " leads" : "no leader known");
            catchingUpFrom.clear();
            catchingUpSince.clear();
            leaderHint = hint;
        } else if (now == Role.CANDIDATE && role != Role.CANDIDATE) {
            LOG.debug("server {}: trying to lead at epoch {}", selfId, replica.ownEpoch());
        }
        role = now;
        int hint = replica.leaderHint();
        if (now == Role.PASSIVE && hint != 0 && hint != leaderHint) {
            LOG.info("server {}: new leader known: server {} (promised epoch {})", selfId, hint, replica.promised());
        }
        if (now != Role.LEADER) {
            leaderHint = hint;
        } else {
            leaderHint = selfId;
        }
    }

    @Override
    public void restored(Replica replica, Snapshot snapshot) {
        LOG.info("server {}: state restored from the snapshot at slot {} ({} bytes)", selfId, snapshot.slot(),
                snapshot.data().length);
    }

    @Override
    public void snapshotTaken(Replica replica, long slot) {
        // Its size is known only once the store wrote it, on the store's thread.
        LOG.info("server {}: took a snapshot at slot {}; the store writes it", selfId, slot);
    }

    @Override
    public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("server {}: applied slot {} {} -> {}", selfId, apply.slot(), apply.command(), outcome.kind());
        }
    }

    /**
     * This log, then {@code next}, as one observer. {@code started} tells whether recovery has ended:
     * any restore after that is a snapshot another server sent because this one was behind its
     * compacted log, which gets a line of its own.
     */
    ReplicaLoop.Observer andThen(ReplicaLoop.Observer next, BooleanSupplier started) {
        ProtocolEventLog self = this;
        return new ReplicaLoop.Observer() {
            @Override
            public void stepped(Replica replica, Effects effects) {
                self.stepped(replica, effects);
                next.stepped(replica, effects);
            }

            @Override
            public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
                self.applied(replica, apply, outcome);
                next.applied(replica, apply, outcome);
            }

            @Override
            public void restored(Replica replica, Snapshot snapshot) {
                self.restored(replica, snapshot);
                if (started.getAsBoolean()) {
                    LOG.info("server {}: installed a snapshot received from another server at slot {} ({} bytes); "
                            + "slots up to it were not replayed from a log", selfId, snapshot.slot(),
                            snapshot.data().length);
                }
                next.restored(replica, snapshot);
            }

            @Override
            public void snapshotTaken(Replica replica, long slot) {
                self.snapshotTaken(replica, slot);
                next.snapshotTaken(replica, slot);
            }

            @Override
            public void receiving(Replica replica, Envelope envelope) {
                next.receiving(replica, envelope);
            }

            @Override
            public void durable(Replica replica, long batchId) {
                next.durable(replica, batchId);
            }

            @Override
            public void reading(Replica replica, long requestId) {
                next.reading(replica, requestId);
            }
        };
    }
}
