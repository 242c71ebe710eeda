package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.OverthrowOk;
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

    /** Server 1 of {@code config}'s cluster, leading at round 1 with a bare majority's promises. Time is 200. */
    static Replica leader(ReplicaConfig config) {
        Replica replica = started(config);
        settle(replica, replica.tick(ELECTION_MAX));
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
