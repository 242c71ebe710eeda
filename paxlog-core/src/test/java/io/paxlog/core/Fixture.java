package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds replicas for unit tests and collects what they do; disks are instant unless held. */
final class Fixture {

    static final long ELECTION_MIN = 100;
    static final long ELECTION_MAX = 200;
    static final long HEARTBEAT = 20;

    private Fixture() {}

    static ReplicaConfig config(int id, int servers) {
        List<Integer> members = new ArrayList<>();
        for (int i = 1; i <= servers; i++) {
            members.add(i);
        }
        return ReplicaConfig.defaults(id, members).withTimeouts(ELECTION_MIN, ELECTION_MAX, HEARTBEAT);
    }

    static Replica started(ReplicaConfig config) {
        Replica replica = new Replica(config, RecoveredState.EMPTY, new SplittableRandom(config.selfId()), 0);
        replica.start();
        return replica;
    }

    /**
     * Ticks {@code replica} at {@code now}, past its election timeout, and grants the pre-vote it starts
     * from the lowest other ids, a bare majority with it: it then raises its epoch and overthrows.
     * Returns every effect, the overthrow's included.
     */
    static List<Effects> campaign(Replica replica, long now) {
        List<Effects> all = settle(replica, replica.tick(now));
        if (!replica.preVoting()) {
            return all; // a cluster of one, or a broken rule that campaigns directly
        }
        Epoch asking = sent(all).stream().map(Envelope::message).filter(m -> m instanceof PreOverthrow)
                .map(Message::epoch).reduce((first, last) -> last).orElseThrow();
        ReplicaConfig config = replica.config();
        int grants = 1;
        for (int peer : config.members()) {
            if (peer != config.selfId() && grants < config.majority()) {
                all.addAll(settle(replica, replica.receive(
                        new Envelope(peer, config.selfId(), new PreOverthrowReply(asking, Epoch.ZERO, true)))));
                grants++;
            }
        }
        return all;
    }

    /** Server 1 of {@code config}'s cluster, leading at round 1 with a bare majority's promises. Time is 200. */
    static Replica leader(ReplicaConfig config) {
        Replica replica = started(config);
        campaign(replica, ELECTION_MAX);
        Epoch epoch = replica.ownEpoch();
        for (int peer = 2; peer <= config.majority(); peer++) {
            settle(replica, replica.receive(new Envelope(peer, 1, new OverthrowOk(epoch, 0))));
        }
        if (replica.role() != Role.LEADER) {
            throw new IllegalStateException("fixture leader did not lead: " + replica);
        }
        return replica;
    }

    /** Makes every write durable at once, as a disk with no latency would; returns all effects. */
    static List<Effects> settle(Replica replica, Effects effects) {
        List<Effects> all = new ArrayList<>();
        all.add(effects);
        for (int i = 0; i < all.size(); i++) {
            for (PersistBatch batch : all.get(i).persist()) {
                all.add(replica.persisted(batch.id()));
            }
        }
        return all;
    }

    static List<Envelope> sent(List<Effects> effects) {
        List<Envelope> sent = new ArrayList<>();
        effects.forEach(e -> sent.addAll(e.send()));
        return sent;
    }

    static List<Envelope> sent(List<Effects> effects, Class<? extends Message> type, int to) {
        List<Envelope> matching = new ArrayList<>();
        for (Envelope envelope : sent(effects)) {
            if (type.isInstance(envelope.message()) && envelope.to() == to) {
                matching.add(envelope);
            }
        }
        return matching;
    }
}
