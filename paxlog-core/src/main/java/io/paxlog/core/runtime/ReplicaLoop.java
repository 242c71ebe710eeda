package io.paxlog.core.runtime;

import io.paxlog.api.SnapshotSource;
import io.paxlog.api.StateMachine;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.SnapshotContent;
import io.paxlog.api.storage.SnapshotStore;
import io.paxlog.api.storage.Storage;
import io.paxlog.api.transport.Transport;
import io.paxlog.core.Apply;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.CoreSnapshot;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.MembershipChange;
import io.paxlog.core.Refusal;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The runtime loop of one server: steps the {@link Replica} and carries out its effects (persist,
 * send, apply, answer). The real server and the simulator both drive this class; they differ only in
 * the storage, transport and clock they plug in.
 *
 * <p>Thread: every method must be called from the one thread that owns the loop. Storage may report
 * durability from its own thread; the owner must hand that report to {@link #persisted} (and a saved
 * snapshot to {@link #snapshotSaved}) on the loop's thread (the callbacks passed in are expected to do
 * so).
 *
 * <p>Snapshots: the loop owns the state machine, so it takes them, from the applied state, every
 * {@link SnapshotPolicy#everySlots} applied slots and on demand ({@link #takeSnapshot}). When the
 * storage is a {@link SnapshotStore} the snapshot is saved first and the core drops the slots it covers
 * once it is durable; otherwise (in-memory storage) the core drops them at once. A snapshot received
 * from another server ({@link Effects#install}) replaces the state machine's state and is saved too.
 * Taking a snapshot on this thread only freezes a view ({@link ExactlyOnce#snapshotSource()}): the store
 * writes it from its own thread while this one goes on applying, so the loop does not stall for as long
 * as serializing takes (unless the machine keeps the default {@link StateMachine#snapshotSource()}, which
 * serializes at once). Without a store the view is serialized here, into memory.
 */
public final class ReplicaLoop {

    /** Sees every step; the simulator's invariant checks hang here. */
    public interface Observer {
        Observer NONE = new Observer() {};

        default void stepped(Replica replica, Effects effects) {}

        default void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {}

        /** The state machine was restored from {@code snapshot}: at start-up, or received from a server. */
        default void restored(Replica replica, Snapshot snapshot) {}

        /** The loop froze the applied state through {@code slot} as a snapshot (not yet written nor durable). */
        default void snapshotTaken(Replica replica, long slot) {}

        /** {@code envelope} is about to be handed to the core. */
        default void receiving(Replica replica, Envelope envelope) {}

        /** The core is about to be told that batches up to {@code batchId} are durable. */
        default void durable(Replica replica, long batchId) {}

        /** A read-only request {@code requestId} is about to be handed to the core. */
        default void reading(Replica replica, long requestId) {}
    }

    /**
     * When the loop takes snapshots by itself.
     *
     * @param everySlots take one each time this many slots were applied since the last; 0: only on demand
     */
    public record SnapshotPolicy(long everySlots) {
        public static final SnapshotPolicy ON_DEMAND = new SnapshotPolicy(0);

        public SnapshotPolicy {
            if (everySlots < 0) {
                throw new IllegalArgumentException("snapshot interval must be >= 0 slots, was " + everySlots);
            }
        }
    }

    /** What observers see for a membership change: nothing reached the state machine. */
    private static final ExactlyOnce.Outcome CHANGE_OUTCOME = new ExactlyOnce.Outcome(ExactlyOnce.Outcome.Kind.NOOP,
            new byte[0]);

    private final Storage storage;
    private final Storage.DurableCallback durableCallback;
    private final Storage.DurableCallback snapshotCallback;
    private final SnapshotStore snapshotStore;
    private final SnapshotPolicy snapshotPolicy;
    /** The slot of the snapshot this loop took and is saving, until storage reports it durable; 0 when none. */
    private long saving;
    private final Transport transport;
    private final ExactlyOnce exactlyOnce;
    private final Responder responder;
    private final Observer observer;
    private final Replica replica;
    private boolean inStep;
    private long durableWhileInStep;

    /**
     * The parts a loop is built from. Required: {@link #config}, {@link #storage}, {@link #transport},
     * {@link #stateMachine}, {@link #exactlyOnceWindow}, {@link #responder}, {@link #random}.
     */
    public static final class Builder {
        private ReplicaConfig config;
        private Storage storage;
        private Storage.DurableCallback durableCallback;
        private Storage.DurableCallback snapshotCallback;
        private SnapshotPolicy snapshotPolicy = SnapshotPolicy.ON_DEMAND;
        private Transport transport;
        private StateMachine stateMachine;
        private int exactlyOnceWindow;
        private Responder responder;
        private RandomGenerator random;
        private ReplicaFactory factory = ReplicaFactory.DEFAULT;
        private Observer observer = Observer.NONE;

        public Builder config(ReplicaConfig config) {
            this.config = config;
            return this;
        }

        /**
         * @param durableCallback what storage calls when a batch is durable. Null when storage reports
         *     durability on the loop's own thread (an in-memory storage): the loop then steps at once.
         *     A storage with its own I/O thread needs a callback that hands the report to the loop's
         *     thread, which then calls {@link #persisted}.
         * @param snapshotCallback what storage calls when a snapshot is durable, with its slot; null when
         *     storage reports that on the loop's own thread. Ignored unless storage is a {@link SnapshotStore}.
         */
        public Builder storage(Storage storage, Storage.DurableCallback durableCallback,
                Storage.DurableCallback snapshotCallback) {
            this.storage = storage;
            this.durableCallback = durableCallback;
            this.snapshotCallback = snapshotCallback;
            return this;
        }

        public Builder snapshotPolicy(SnapshotPolicy snapshotPolicy) {
            this.snapshotPolicy = snapshotPolicy;
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** The state machine, which must be empty: the loop applies the recovered prefix to it. */
        public Builder stateMachine(StateMachine stateMachine) {
            this.stateMachine = stateMachine;
            return this;
        }

        public Builder exactlyOnceWindow(int exactlyOnceWindow) {
            this.exactlyOnceWindow = exactlyOnceWindow;
            return this;
        }

        public Builder responder(Responder responder) {
            this.responder = responder;
            return this;
        }

        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        public Builder factory(ReplicaFactory factory) {
            this.factory = factory;
            return this;
        }

        public Builder observer(Observer observer) {
            this.observer = observer;
            return this;
        }

        /** Recovers durable state from storage and starts the core at time {@code now}. */
        public ReplicaLoop start(long now) {
            return new ReplicaLoop(this, now);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private ReplicaLoop(Builder parts, long now) {
        this.storage = Objects.requireNonNull(parts.storage, "storage");
        this.durableCallback = parts.durableCallback != null ? parts.durableCallback : this::persisted;
        this.snapshotCallback = parts.snapshotCallback != null ? parts.snapshotCallback : this::snapshotSaved;
        this.snapshotStore = storage instanceof SnapshotStore store ? store : null;
        this.snapshotPolicy = Objects.requireNonNull(parts.snapshotPolicy, "snapshotPolicy");
        this.transport = Objects.requireNonNull(parts.transport, "transport");
        if (parts.exactlyOnceWindow < 1) {
            throw new IllegalArgumentException("exactlyOnceWindow must be positive, was " + parts.exactlyOnceWindow);
        }
        this.exactlyOnce = new ExactlyOnce(Objects.requireNonNull(parts.stateMachine, "stateMachine"),
                parts.exactlyOnceWindow);
        this.responder = Objects.requireNonNull(parts.responder, "responder");
        this.observer = Objects.requireNonNull(parts.observer, "observer");
        RecoveredState recovered = storage.recover();
        if (recovered.snapshot() != null) {
            // The core reads its own part (the membership history) itself.
            exactlyOnce.restore(recovered.snapshot().slot(), CoreSnapshot.split(recovered.snapshot().data()).state());
        }
        this.replica = parts.factory.create(Objects.requireNonNull(parts.config, "config"), recovered,
                Objects.requireNonNull(parts.random, "random"), now);
        if (recovered.snapshot() != null) {
            observer.restored(replica, recovered.snapshot());
        }
        step(replica.start());
    }

    public Replica replica() {
        return replica;
    }

    public void receive(Envelope envelope) {
        observer.receiving(replica, envelope);
        step(replica.receive(envelope));
    }

    /** As {@link #receive(Envelope)}, telling the core the time too (its timers still wait for a tick). */
    public void receive(Envelope envelope, long now) {
        observer.receiving(replica, envelope);
        step(replica.receive(envelope, now));
    }

    public void tick(long now) {
        step(replica.tick(now));
    }

    public void submit(ClientRequest request) {
        step(replica.submit(request));
    }

    /** Several requests in one step; see {@link Replica#submitAll}. */
    public void submitAll(List<ClientRequest> requests) {
        step(replica.submitAll(requests));
    }

    /** A read-only request; answered through {@link Responder#readReady} or refused. */
    public void read(long requestId) {
        observer.reading(replica, requestId);
        step(replica.read(requestId));
    }

    /** An operator's membership change; answered through {@link Responder#changed} or refused. */
    public void submitChange(long requestId, MembershipChange change) {
        step(replica.submitChange(requestId, change));
    }

    /**
     * Takes a snapshot of the applied state now, unless one is being saved or nothing was applied since
     * the last. Returns its slot, or 0 when none was taken.
     */
    public long takeSnapshot() {
        if (inStep) {
            throw new IllegalStateException("takeSnapshot() inside a step");
        }
        long slot = replica.appliedSlot();
        if (saving != 0 || slot == 0 || slot <= replica.snapshotSlot()) {
            return 0;
        }
        // The core's membership history at this same applied slot goes in front (docs/membership.md#snapshots).
        SnapshotSource view = CoreSnapshot.wrap(replica.memberships(), exactlyOnce.snapshotSource());
        observer.snapshotTaken(replica, slot);
        if (snapshotStore == null) {
            // Nothing to save it to: it lives in memory only, so it is serialized here.
            step(replica.compacted(new Snapshot(slot, view.toByteArray())));
        } else {
            saving = slot;
            snapshotStore.saveSnapshot(slot, view, snapshotCallback);
        }
        return slot;
    }

    /** Storage reports the snapshot at {@code slot} durable (ours, or one installed from a server). */
    public void snapshotSaved(long slot) {
        if (inStep) {
            throw new IllegalStateException("a snapshot reported durable inside a step; hand it to the loop");
        }
        if (saving != 0 && saving == slot) {
            saving = 0;
            // The bytes exist now only where the store wrote them: the core serves them from there.
            SnapshotContent saved = snapshotStore.newestContent().orElseThrow(() -> new IllegalStateException(
                    "the store reported the snapshot at slot " + slot + " durable but holds none"));
            if (saved.slot() < slot) {
                throw new IllegalStateException("the store reported the snapshot at slot " + slot
                        + " durable but its newest is at slot " + saved.slot());
            }
            if (saved.slot() > replica.snapshotSlot()) {
                // Ours, or a newer one installed from a server since (then the core already compacted to it).
                step(replica.compacted(saved));
            }
        }
    }

    public void persisted(long batchId) {
        if (inStep) {
            // A storage that reports durability synchronously from write(): finish this step first.
            durableWhileInStep = Math.max(durableWhileInStep, batchId);
            return;
        }
        observer.durable(replica, batchId);
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
            Snapshot install = effects.install();
            for (Apply apply : effects.apply()) {
                if (install != null && apply.slot() > install.slot()) {
                    install(install);
                    install = null;
                }
                if (apply.change() != null) {
                    // Applied by the core itself: no state machine, no exactly-once table sees it.
                    observer.applied(replica, apply, CHANGE_OUTCOME);
                    if (apply.requestId() != 0) {
                        responder.changed(apply.requestId(), apply.slot(), apply.change());
                    }
                    continue;
                }
                ExactlyOnce.Outcome outcome = exactlyOnce.apply(apply.slot(), apply.command());
                observer.applied(replica, apply, outcome);
                if (apply.requestId() != 0) {
                    // A duplicate answers with its first copy's slot: where the command took effect.
                    long slot = outcome.kind() == ExactlyOnce.Outcome.Kind.DUPLICATE ? outcome.slot() : apply.slot();
                    responder.applied(apply.requestId(), slot, outcome);
                }
            }
            if (install != null) {
                install(install);
            }
            for (Refusal refusal : effects.refusals()) {
                responder.refused(refusal);
            }
            for (long requestId : effects.reads()) {
                responder.readReady(requestId, replica.appliedSlot());
            }
        } finally {
            inStep = false;
        }
        if (durableWhileInStep > 0) {
            long batchId = durableWhileInStep;
            durableWhileInStep = 0;
            observer.durable(replica, batchId);
            step(replica.persisted(batchId));
            return;
        }
        if (snapshotPolicy.everySlots() > 0 && saving == 0
                && replica.appliedSlot() - replica.snapshotSlot() >= snapshotPolicy.everySlots()) {
            takeSnapshot();
        }
    }

    private void install(Snapshot snapshot) {
        exactlyOnce.restore(snapshot.slot(), CoreSnapshot.split(snapshot.data()).state());
        observer.restored(replica, snapshot);
        if (snapshotStore != null) {
            // Its slot is above any snapshot we took (ours are of applied slots, it is above them), so
            // the store's order holds. Nothing waits for it: losing it in a crash only means fetching again.
            snapshotStore.saveSnapshot(snapshot, slot -> { });
        }
    }
}
