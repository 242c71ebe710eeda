package io.paxlog.chaos.run;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Does the run's faults in turn, on its own thread: waits {@code interval}, then faults the current
 * leader (or, for a deaf follower, a follower; see {@link FaultDriver}) for {@code downtime} and heals it, cycling through the kinds asked for, until stopped. Every
 * fault is healed before {@link #run} returns, whatever ended it.
 */
final class Nemesis implements Runnable {

    private final ServerCluster cluster;
    private final Recorder<?, ?> clock;
    private final List<Fault.Kind> kinds;
    private final Duration interval;
    private final Duration downtime;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<Fault> done = new ArrayList<>();
    private volatile Exception failure;

    Nemesis(ServerCluster cluster, Recorder<?, ?> clock, List<Fault.Kind> kinds, Duration interval, Duration downtime) {
        this.cluster = cluster;
        this.clock = clock;
        this.kinds = List.copyOf(kinds);
        this.interval = interval;
        this.downtime = downtime;
    }

    void stop() {
        stop.countDown();
    }

    synchronized List<Fault> faults() {
        return List.copyOf(done);
    }

    Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits {@code time} unless stopped first; true if stopped. The times are the schedule itself. */
    private boolean waitOrStop(Duration time) throws InterruptedException {
        return stop.await(time.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        int next = 0;
        try {
            while (!kinds.isEmpty() && !waitOrStop(interval)) {
                Optional<Integer> leader = cluster.leader();
                if (leader.isEmpty()) {
                    continue; // no leader to fault right now (an election still running): try after the next interval
                }
                Fault.Kind kind = kinds.get(next++ % kinds.size());
                FaultDriver.Held held = FaultDriver.begin(kind, cluster, leader.get(), clock);
                Fault fault;
                try {
                    waitOrStop(downtime);
                } finally {
                    fault = held.heal();
                }
                record(fault);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private synchronized void record(Fault fault) {
        done.add(fault);
    }
}
