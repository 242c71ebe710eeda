package io.paxlog.lock;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.LeaderDuties;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;

/**
 * {@code service: lock}: the lock service ({@link LockMachine}), registered in
 * {@code META-INF/services/io.paxlog.api.service.Service} so that a server finds it by name.
 *
 * <p>Its leader duty is expiry: proposing {@code expire} for a lease its holder did not renew in time.
 * Today the server's loop still runs that itself when its machine is a {@link LockMachine}; once the
 * loop asks the service for its duties, they come from here.
 */
public final class LockService implements Service<LockCommand, LockResult> {

    public static final String NAME = "lock";

    @Override
    public String name() {
        return NAME;
    }

    /** Default limits only: they are part of the replicated behaviour, so every server must agree on them. */
    @Override
    public StateMachine newStateMachine() {
        return new LockMachine();
    }

    /** The leader's expiry scheduler over {@code machine}, which must be one of this service's machines. */
    @Override
    public LeaderDuties newLeaderDuties(StateMachine machine) {
        if (!(machine instanceof LockMachine locks)) {
            throw new IllegalArgumentException("the lock service's leader duties need a LockMachine, not "
                    + machine.getClass().getName());
        }
        return new LockExpiry(locks);
    }

    @Override
    public ServiceCodec<LockCommand, LockResult> codec() {
        return LockCodec.INSTANCE;
    }
}
