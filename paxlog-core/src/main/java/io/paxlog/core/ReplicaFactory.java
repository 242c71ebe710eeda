package io.paxlog.core;

import io.paxlog.api.storage.RecoveredState;
import java.util.random.RandomGenerator;

/** Creates the core of one server run; the runtime calls it at every (re)start. */
@FunctionalInterface
public interface ReplicaFactory {

    ReplicaFactory DEFAULT = Replica::new;

    Replica create(ReplicaConfig config, RecoveredState recovered, RandomGenerator random, long now);
}
