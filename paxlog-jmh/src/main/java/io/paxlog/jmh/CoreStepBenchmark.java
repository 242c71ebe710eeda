package io.paxlog.jmh;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol core alone, for one leader of three, with instant disks and no network: a batch of
 * {@value #BATCH} client commands submitted, the leader's writes made durable, one follower's
 * {@code StoreOk} for every slot it was sent (a majority with the leader), until every command is
 * applied. The time is per command: what the loop thread spends in the core on a command's way through
 * the log, without the runtime, the codecs, the WAL or the sockets.
 *
 * <p>A fresh leader each iteration: the log is never compacted here, so it would otherwise grow through
 * the whole run and the time measured would drift with the heap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreStepBenchmark {

    static final int BATCH = 64;
    private static final long ELECTION_MAX_MS = 200;

    private Replica leader;
    private long requestId;
    private long sequence;
    private final byte[] payload = new byte[100];

    @Setup(Level.Iteration)
    public void lead() {
        ReplicaConfig config = ReplicaConfig.defaults(1, List.of(1, 2, 3)).withTimeouts(100, ELECTION_MAX_MS, 20);
        leader = new Replica(config, RecoveredState.EMPTY, new SplittableRandom(1), 0);
        settle(leader.start());
        List<Effects> campaign = settle(leader.tick(ELECTION_MAX_MS));
        if (leader.preVoting()) {
            Epoch asking = sent(campaign).stream().map(Envelope::message).filter(m -> m instanceof PreOverthrow)
                    .map(Message::epoch).reduce((first, last) -> last).orElseThrow();
            settle(leader.receive(new Envelope(2, 1, new PreOverthrowReply(asking, Epoch.ZERO, true))));
        }
        settle(leader.receive(new Envelope(2, 1, new OverthrowOk(leader.ownEpoch(), 0))));
        if (leader.role() != Role.LEADER) {
            throw new IllegalStateException("the benchmark's replica did not become leader: " + leader);
        }
        requestId = 0;
        sequence = 0;
        int applied = batch();
        applied += submitAll();
        if (applied != 2 * BATCH) {
            throw new IllegalStateException("two batches of " + BATCH + " applied " + applied + " commands");
        }
    }

    /** The commands one by one, a step each: how the server loop handed them over before issue 12's pass. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batch() {
        List<Effects> all = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            all.addAll(settle(leader.submit(new ClientRequest(++requestId, new Command(7, ++sequence, payload)))));
        }
        return storedOnFollowerAndApplied(all);
    }

    /** The same commands in one step ({@link Replica#submitAll}), as the server loop hands over what it drained. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int submitAll() {
        List<ClientRequest> requests = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            requests.add(new ClientRequest(++requestId, new Command(7, ++sequence, payload)));
        }
        return storedOnFollowerAndApplied(new ArrayList<>(settle(leader.submitAll(requests))));
    }

    /** One follower's StoreOk for every slot it was sent in {@code all}; returns the commands applied. */
    private int storedOnFollowerAndApplied(List<Effects> all) {
        List<Long> slots = new ArrayList<>();
        for (Envelope envelope : sent(all)) {
            if (envelope.to() == 2 && envelope.message() instanceof Store store) {
                for (SlotCommand entry : store.entries()) {
                    slots.add(entry.slot());
                }
            }
        }
        all.addAll(settle(leader.receive(new Envelope(2, 1, new StoreOk(leader.ownEpoch(), slots)))));
        int applied = 0;
        for (Effects effects : all) {
            applied += effects.apply().size();
        }
        return applied;
    }

    /** Makes every write durable at once, as a disk without latency would; returns all effects. */
    private List<Effects> settle(Effects effects) {
        List<Effects> all = new ArrayList<>();
        all.add(effects);
        for (int i = 0; i < all.size(); i++) {
            for (PersistBatch batch : all.get(i).persist()) {
                all.add(leader.persisted(batch.id()));
            }
        }
        return all;
    }

    private static List<Envelope> sent(List<Effects> effects) {
        List<Envelope> sent = new ArrayList<>();
        effects.forEach(e -> sent.addAll(e.send()));
        return sent;
    }
}
