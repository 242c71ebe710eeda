package io.paxlog.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Store;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.core.Apply;
import io.paxlog.core.Effects;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Replica;
import io.paxlog.core.Role;
import io.paxlog.core.runtime.ReplicaLoop;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.ReplyChannel;
import io.paxlog.server.ServerStatus;
import io.paxlog.storage.WalMetrics;
import io.paxlog.transport.PeerNetworkCounters;
import java.time.Duration;
import java.util.Collection;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every meter of one server, registered here and nowhere else, and rendered as Prometheus text for
 * {@code GET /metrics}.
 *
 * <p>Cost on the loop thread: the {@link #observer()} increments counters and records batch sizes per
 * step, and {@link #timed} records one timer sample per answered command; everything else (slots,
 * epoch, lag, queue depths, WAL counters) is read only when scraped, from the status the loop already
 * publishes and from counters other threads keep anyway.
 *
 * <p>Meters (Prometheus names):
 * <ul>
 *   <li>{@code paxlog_commands_applied_total}: commands applied to the state machine (rate = commands/s)
 *   <li>{@code paxlog_commit_latency_seconds}: histogram, a client command's time from reaching this
 *       server's loop queue to its answer (applied or refused)
 *   <li>{@code paxlog_persist_batch_entries}: histogram of log entries per batch handed to the WAL
 *   <li>{@code paxlog_store_entries}: histogram of log entries per {@code store} sent to a peer (a
 *       leader's batching as its followers see it)
 *   <li>{@code paxlog_peer_frames_out_total}, {@code paxlog_peer_flushes_total} (their ratio: messages per
 *       flush), {@code paxlog_peer_bytes_out_total}, {@code paxlog_peer_frames_in_total},
 *       {@code paxlog_peer_dropped_total}
 *   <li>{@code paxlog_elections_total}, {@code paxlog_leaderships_total}: times this server became a
 *       candidate, and a leader
 *   <li>{@code paxlog_epoch_round}, {@code paxlog_leader} (1 when leading), {@code paxlog_slot{kind=...}}
 *       (applied, first_unfinalized, last_used, snapshot)
 *   <li>{@code paxlog_peer_lag_slots{peer}} (known while leading, else NaN), {@code paxlog_peer_reachable{peer}}
 *   <li>{@code paxlog_queue_depth{queue=client|peer}}: calls and messages waiting for the loop thread
 *   <li>{@code paxlog_wal_fsyncs_total}, {@code paxlog_wal_group_commits_total}, {@code paxlog_wal_bytes_total}
 *   <li>{@code paxlog_wal_fsync_latency_seconds}: histogram of every fsync of the write-ahead log (timed
 *       on its I/O thread)
 * </ul>
 */
public final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter applied;
    private final Counter elections;
    private final Counter leaderships;
    private final Timer commitLatency;
    private final DistributionSummary persistBatchEntries;
    private final DistributionSummary storeEntries;
    private final Timer fsyncLatency;
    /** Held here: a function counter keeps only a weak reference to its source. */
    private Supplier<WalMetrics> wal;
    /** Held here for the same reason. */
    private Supplier<PeerNetworkCounters> peerNetwork;

    public ServerMetrics() {
        applied = Counter.builder("paxlog.commands.applied").description("commands applied to the state machine")
                .register(registry);
        elections = Counter.builder("paxlog.elections").description("times this server became a candidate")
                .register(registry);
        leaderships = Counter.builder("paxlog.leaderships").description("times this server became the leader")
                .register(registry);
        commitLatency = Timer.builder("paxlog.commit.latency")
                .description("a client command's time from this server's loop queue to its answer")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        fsyncLatency = Timer.builder("paxlog.wal.fsync.latency")
                .description("how long each fsync of the write-ahead log took").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        persistBatchEntries = DistributionSummary.builder("paxlog.persist.batch.entries")
                .description("log entries per batch handed to the write-ahead log").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(4096.0).register(registry);
        storeEntries = DistributionSummary.builder("paxlog.store.entries")
                .description("log entries per store this server sent to a peer").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(4096.0).register(registry);
    }

    /** What the write-ahead log calls with each fsync's duration (its I/O thread; a timer is thread-safe). */
    public java.util.function.LongConsumer fsyncRecorder() {
        return nanos -> fsyncLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Registers the gauges and function counters that read the server's state when scraped. Called once,
     * when the parts exist.
     */
    public void bind(Supplier<ServerStatus> status, Collection<Integer> peerIds, IntPredicate peerConnected,
            IntSupplier clientQueueDepth, IntSupplier peerQueueDepth, Supplier<WalMetrics> wal) {
        this.wal = wal;
        Gauge.builder("paxlog.epoch.round", () -> status.get().promised().round())
                .description("the round of the highest epoch this server promised").register(registry);
        Gauge.builder("paxlog.leader", () -> status.get().isLeader() ? 1 : 0)
                .description("1 while this server leads").register(registry);
        slot("applied", () -> status.get().appliedSlot());
        slot("first_unfinalized", () -> status.get().firstUnfinalizedSlot());
        slot("last_used", () -> status.get().lastUsedSlot());
        slot("snapshot", () -> status.get().snapshotSlot());
        for (int peer : peerIds) {
            Gauge.builder("paxlog.peer.lag.slots", () -> {
                ServerStatus now = status.get();
                Long theirs = now.peerFirstUnfinalizedSlots().get(peer);
                return theirs == null ? Double.NaN : Math.max(0, now.firstUnfinalizedSlot() - theirs);
            }).tag("peer", Integer.toString(peer))
                    .description("slots the peer is behind this leader's first unfinalized slot (NaN unless leading)")
                    .register(registry);
            Gauge.builder("paxlog.peer.reachable", () -> peerConnected.test(peer) ? 1 : 0)
                    .tag("peer", Integer.toString(peer)).description("1 while the connection to the peer is up")
                    .register(registry);
        }
        Gauge.builder("paxlog.queue.depth", clientQueueDepth::getAsInt).tag("queue", "client")
                .description("client calls waiting for the loop thread").register(registry);
        Gauge.builder("paxlog.queue.depth", peerQueueDepth::getAsInt).tag("queue", "peer")
                .description("peer messages waiting for the loop thread").register(registry);
        FunctionCounter.builder("paxlog.wal.fsyncs", wal, w -> w.get().forces())
                .description("fsyncs of the write-ahead log, of any kind").register(registry);
        FunctionCounter.builder("paxlog.wal.group.commits", wal, w -> w.get().groups())
                .description("group commits, each ending with one fsync").register(registry);
        FunctionCounter.builder("paxlog.wal.bytes", wal, w -> w.get().bytes())
                .description("record bytes written to the write-ahead log").register(registry);
    }

    /**
     * Registers the peer network's counters, read when scraped: frames and bytes each way, and the
     * flushes that carried the frames out (frames out over flushes: messages per flush).
     */
    public void bindPeerNetwork(Supplier<PeerNetworkCounters> counters) {
        this.peerNetwork = counters;
        FunctionCounter.builder("paxlog.peer.frames.out", counters, c -> c.get().framesOut())
                .description("message frames written to peers").register(registry);
        FunctionCounter.builder("paxlog.peer.flushes", counters, c -> c.get().flushes())
                .description("flushes of the connections to peers, each at most one write syscall").register(registry);
        FunctionCounter.builder("paxlog.peer.bytes.out", counters, c -> c.get().bytesOut())
                .description("frame bytes written to peers").register(registry);
        FunctionCounter.builder("paxlog.peer.frames.in", counters, c -> c.get().framesIn())
                .description("message frames received from peers").register(registry);
        FunctionCounter.builder("paxlog.peer.dropped", counters, c -> c.get().dropped())
                .description("messages to peers that never reached a socket").register(registry);
    }

    private void slot(String kind, Supplier<Number> value) {
        Gauge.builder("paxlog.slot", value).tag("kind", kind).description("slots of this server's log")
                .register(registry);
    }

    /** Counts applied commands, elections and batch sizes. Runs on the loop thread: counters only. */
    public ReplicaLoop.Observer observer() {
        return new ReplicaLoop.Observer() {
            /** Loop thread only. */
            private Role lastRole = Role.PASSIVE;

            @Override
            public void stepped(Replica replica, Effects effects) {
                Role role = replica.role();
                if (role != lastRole) {
                    if (role == Role.CANDIDATE) {
                        elections.increment();
                    } else if (role == Role.LEADER) {
                        leaderships.increment();
                    }
                    lastRole = role;
                }
                for (PersistBatch batch : effects.persist()) {
                    if (!batch.entries().isEmpty()) {
                        persistBatchEntries.record(batch.entries().size());
                    }
                }
                for (Envelope envelope : effects.send()) {
                    if (envelope.message() instanceof Store store) {
                        storeEntries.record(store.entries().size());
                    }
                }
            }

            @Override
            public void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome) {
                if (outcome.kind() == ExactlyOnce.Outcome.Kind.APPLIED) {
                    applied.increment();
                }
            }
        };
    }

    /** {@code reply}, timing the command from now until it is answered. */
    public ReplyChannel timed(ReplyChannel reply) {
        long start = System.nanoTime();
        return answer -> {
            if (answer.status() != CommandAnswer.Status.BUSY) {
                commitLatency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            reply.answer(answer);
        };
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
