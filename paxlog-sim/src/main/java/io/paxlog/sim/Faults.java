package io.paxlog.sim;

import java.util.SplittableRandom;

/**
 * Which faults one seed turns on, and how hard (swarm testing: each seed draws its own mix, so some
 * seeds hammer one fault while others combine several).
 *
 * @param delayMaxMs      a message takes 1..delayMaxMs to arrive (wide ranges reorder more)
 * @param lossRate        chance a message is dropped
 * @param duplicateRate   chance a message is delivered twice
 * @param delaySpikeRate  chance a message is delayed by up to {@code delaySpikeMaxMs}
 * @param partitions      random halves, isolated leader, one-way links, overlapping majorities, flapping
 * @param crashes         crash any server at any moment (losing writes not yet durable), restart later
 * @param pauses          stop a server for seconds; its timers then fire late
 * @param congestion      make random links slow for a while, so messages overtake each other
 * @param nemesisEveryMs  mean time between two fault actions
 * @param slowKind        one kind of message that travels slower than the others (or null): a
 *                        processing or queueing asymmetry that opens races between RPCs
 * @param slowKindExtraMs up to how much extra delay that kind gets
 * @param minorityOnly    every fault stays inside a minority of the servers, chosen once per run, and
 *                        the majority's links among themselves are a healthy LAN: then every client
 *                        command must complete within {@link SimClients#AVAILABILITY_BOUND_MS}
 *                        (the availability check), whatever the minority does
 */
public record Faults(
        long delayMaxMs,
        double lossRate,
        double duplicateRate,
        double delaySpikeRate,
        long delaySpikeMaxMs,
        boolean partitions,
        boolean crashes,
        boolean pauses,
        boolean congestion,
        long nemesisEveryMs,
        io.paxlog.api.message.MessageKind slowKind,
        long slowKindExtraMs,
        boolean minorityOnly) {

    public static final Faults NONE = new Faults(5, 0, 0, 0, 0, false, false, false, false, 1_000, null, 0, false);

    static Faults draw(SplittableRandom random) {
        // The last one is chaos: delays near the election timeout, so leaders duel constantly and
        // messages of different rounds interleave in every order.
        long[] delays = {5, 5, 15, 40, 120};
        long delayMax = delays[random.nextInt(delays.length)];
        double loss = random.nextBoolean() ? random.nextDouble() * 0.15 : 0;
        double dup = random.nextBoolean() ? random.nextDouble() * 0.10 : 0;
        double spike = random.nextBoolean() ? random.nextDouble() * 0.25 : 0;
        long spikeMax = 50 + random.nextLong(950);
        boolean partitions = random.nextBoolean();
        boolean crashes = random.nextBoolean();
        boolean pauses = random.nextInt(3) == 0;
        boolean congestion = random.nextBoolean();
        if (!partitions && !crashes && !pauses && loss == 0) {
            crashes = true; // every seed gets at least one fault that forces leader changes
        }
        long every = 200 + random.nextLong(1800);
        io.paxlog.api.message.MessageKind[] kinds = io.paxlog.api.message.MessageKind.values();
        io.paxlog.api.message.MessageKind slow = random.nextBoolean() ? kinds[random.nextInt(kinds.length)] : null;
        long slowExtra = 10 + random.nextLong(150);
        // One seed in three confines every fault to a minority and demands availability of the rest.
        boolean minorityOnly = random.nextInt(3) == 0;
        return new Faults(delayMax, loss, dup, spike, spikeMax, partitions, crashes, pauses, congestion, every, slow,
                slowExtra, minorityOnly);
    }

    @Override
    public String toString() {
        return String.format("delay<=%dms loss=%.3f dup=%.3f spikes=%.3f(<=%dms) partitions=%s crashes=%s pauses=%s congestion=%s nemesis~%dms slow=%s(+%dms)%s",
                delayMaxMs, lossRate, duplicateRate, delaySpikeRate, delaySpikeMaxMs, partitions, crashes, pauses, congestion, nemesisEveryMs,
                slowKind, slowKindExtraMs, minorityOnly ? " minority-only (availability checked)" : "");
    }
}
