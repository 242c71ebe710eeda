package io.paxlog.sim;

import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The simulated network between servers: which directed links are cut, which are congested, and the
 * loss, duplication and heavy-tailed delays the seed's {@link Faults} ask for. Once healed it is a
 * healthy LAN: no loss, no duplication, short delays (links may still be cut, to keep the minority out).
 *
 * <p>Thread: the simulation's.
 */
final class SimNetwork {

    /** Extra delay on a congested link, at most. */
    static final long SLOW_LINK_EXTRA_MS = 150;
    /** Once healed, the network is a healthy LAN again. */
    static final long HEALED_DELAY_MAX_MS = 15;
    /** In a minority-only run, the longest any message takes: half the minimum election timeout. */
    static final long MINORITY_DELAY_MAX_MS = Simulation.ELECTION_MIN_MS / 2;

    /** Where the network hands a message for delivery after {@code delayMs}. */
    interface Delivery {
        void after(long delayMs, Envelope envelope);
    }

    /** Which links no fault touches (a minority-only run's majority): a healthy LAN, whatever the seed says. */
    interface Clean {
        boolean link(int from, int to);
    }

    private final Faults faults;
    private final Clean clean;
    private final SplittableRandom random;
    private final Delivery delivery;
    private final boolean[][] blocked;
    /** Until when each directed link is congested: messages on it get a random extra delay. */
    private final long[][] slowUntil;
    private boolean healed;

    SimNetwork(int servers, Faults faults, SplittableRandom random, Delivery delivery, Clean clean) {
        this.faults = faults;
        this.clean = clean;
        this.random = random;
        this.delivery = delivery;
        this.blocked = new boolean[servers + 1][servers + 1];
        this.slowUntil = new long[servers + 1][servers + 1];
    }

    /** Sends {@code envelope} now, at simulated time {@code now}: maybe lost, maybe twice, always late. */
    void send(Envelope envelope, long now) {
        int from = envelope.from();
        int to = envelope.to();
        boolean lan = healed || clean.link(from, to);
        if (blocked[from][to] || random.nextDouble() < (lan ? 0 : faults.lossRate())) {
            return;
        }
        schedule(envelope, now, lan);
        if (!lan && random.nextDouble() < faults.duplicateRate()) {
            schedule(envelope, now, false);
        }
    }

    private void schedule(Envelope envelope, long now, boolean lan) {
        // Heavy-tailed: most messages are fast, some take up to the seed's maximum. Reorders more
        // than a uniform delay of the same mean.
        long delayMax = lan ? Math.min(faults.delayMaxMs(), HEALED_DELAY_MAX_MS) : faults.delayMaxMs();
        long delay = random.nextInt(4) == 0 ? 1 + random.nextLong(delayMax) : 1 + random.nextLong(3);
        if (!lan && slowUntil[envelope.from()][envelope.to()] > now) {
            delay += random.nextLong(SLOW_LINK_EXTRA_MS);
        }
        if (!lan && envelope.message().kind() == faults.slowKind()) {
            delay += random.nextLong(faults.slowKindExtraMs());
        }
        if (!lan && random.nextDouble() < faults.delaySpikeRate()) {
            delay += random.nextLong(faults.delaySpikeMaxMs());
        }
        if (faults.minorityOnly()) {
            // The availability check assumes, as pre-vote's leader stickiness does (and Raft's), that a
            // message arrives well within an election timeout: a dead leader's store delivered a second
            // late looks like a live leader and keeps followers from electing another. Loss, duplication
            // and reordering on the minority's links stay; hour-long stragglers do not.
            delay = Math.min(delay, MINORITY_DELAY_MAX_MS);
        }
        delivery.after(delay, envelope);
    }

    /** A client's request or a server's answer to a client: a short hop, never lost. */
    long clientHopMs() {
        return 1 + random.nextLong(3);
    }

    void block(int from, int to, boolean cut) {
        blocked[from][to] = cut;
    }

    boolean isBlocked(int from, int to) {
        return blocked[from][to];
    }

    /** Flips the link {@code from -> to}; returns whether it is cut now. */
    boolean toggle(int from, int to) {
        blocked[from][to] = !blocked[from][to];
        return blocked[from][to];
    }

    void slowLink(int from, int to, long untilMs) {
        slowUntil[from][to] = untilMs;
    }

    void healAllLinks() {
        for (boolean[] row : blocked) {
            Arrays.fill(row, false);
        }
    }

    /** From now on: no loss, no duplication, LAN delays; cut links stay cut. */
    void heal() {
        healed = true;
    }

    boolean healed() {
        return healed;
    }

    /** A hash of a message's identity, for the trace. */
    static long messageHash(Envelope envelope) {
        Message message = envelope.message();
        return ((envelope.from() * 31L + envelope.to()) * 31 + message.kind().ordinal()) * 31
                + message.epoch().round() * 7 + message.epoch().serverId();
    }
}
