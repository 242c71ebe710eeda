package io.paxlog.core.runtime;

import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.Apply;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import java.util.random.RandomGenerator;

/**
 * The runtime loop of one server: steps the {@link Replica} and carries out its effects (persist,
 * send, apply, answer). The real server and the simulator both drive this class; they differ only in
 * the storage, transport and clock they plug in.
 *
 * <p>Thread: every method must be called from the one thread that owns the loop. Storage may report
 * durability from its own thread; the owner must hand that report to {@link #persisted} on the loop's
 * thread (the storage callback passed in is expected to do so).
 */
public final class ReplicaLoop {

    /** Sees every step; the simulator's invariant checks hang here. */
    public interface Observer {
        Observer NONE = new Observer() {};

        default void stepped(Replica replica, Effects effects) {}

        default void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {}
    }

    private final Storage storage;
    private final Storage.DurableCallback durableCallback;
    private final Transport transport;
    private final ExactlyOnce exactlyOnce;
    private final Responder responder;
    private final Observer observer;
    private final Replica replica;
    private boolean inStep;
    private long durableWhileInStep;

    /**
     * Recovers durable state from {@code storage} and starts the core; applies the finalized prefix
     * found there to {@code stateMachine}, which must be empty.
     *
     * @param durableCallback what storage calls when a batch is durable. Null when storage reports
     *     durability on the loop's own thread (an in-memory storage): the loop then steps at once.
     *     A storage with its own I/O thread needs a callback that hands the report to the loop's
     *     thread, which then calls {@link #persisted}.
     */
    public ReplicaLoop(ReplicaConfig config, Storage storage, Storage.DurableCallback durableCallback,
            Transport transport, StateMachine stateMachine, int exactlyOnceWindow, Responder responder,
            RandomGenerator random, long now, ReplicaFactory factory, Observer observer) {
        this.storage = storage;
        this.durableCallback = durableCallback != null ? durableCallback : this::persisted;
        this.transport = transport;
        this.exactlyOnce = new ExactlyOnce(stateMachine, exactlyOnceWindow);
        this.responder = responder;
        this.observer = observer;
        RecoveredState recovered = storage.recover();
        this.replica = factory.create(config, recovered, random, now);
        step(replica.start());
    }

    public Replica replica() {
        return replica;
    }

    public void receive(Envelope envelope) {
        step(replica.receive(envelope));
    }

    public void tick(long now) {
        step(replica.tick(now));
    }

    public void submit(ClientRequest request) {
        step(replica.submit(request));
    }

    public void persisted(long batchId) {
        if (inStep) {
            // A storage that reports durability synchronously from write(): finish this step first.
            durableWhileInStep = Math.max(durableWhileInStep, batchId);
            return;
        }
        step(replica.persisted(batchId));
    }

    private void step(Effects effects) {
        inStep = true;
        try {
            observer.stepped(replica, effects);
            for (PersistBatch batch : effects.persist()) {
                storage.write(batch, durableCallback);
            }
            for (Envelope envelope : effects.send()) {
                transport.send(envelope);
            }
            for (Apply apply : effects.apply()) {
                ExactlyOnce.Outcome outcome = exactlyOnce.apply(apply.slot(), apply.command());
                observer.applied(replica, apply, outcome);
                if (apply.requestId() != 0) {
                    responder.applied(apply.requestId(), apply.slot(), outcome);
                }
            }
            for (Refusal refusal : effects.refusals()) {
                responder.refused(refusal);
            }
        } finally {
            inStep = false;
        }
        if (durableWhileInStep > 0) {
            long batchId = durableWhileInStep;
            durableWhileInStep = 0;
            step(replica.persisted(batchId));
        }
    }
}
