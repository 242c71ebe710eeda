package io.paxlog.sim;

import java.util.SplittableRandom;

/**
 * Which faults one seed turns on, and how hard (swarm testing: each seed draws its own mix, so some
 * seeds hammer one fault while others combine several).
 *
 * @param lossRate        chance a message is dropped
 * @param duplicateRate   chance a message is delivered twice
 * @param delaySpikeRate  chance a message is delayed by up to {@code delaySpikeMaxMs}
 * @param partitions      random halves, isolated leader, one-way links, overlapping majorities, flapping
 * @param crashes         crash any server at any moment (losing writes not yet durable), restart later
 * @param pauses          stop a server for seconds; its timers then fire late
 * @param nemesisEveryMs  mean time between two fault actions
 */
public record Faults(
        double lossRate,
        double duplicateRate,
        double delaySpikeRate,
        long delaySpikeMaxMs,
        boolean partitions,
        boolean crashes,
        boolean pauses,
        long nemesisEveryMs) {

    public static final Faults NONE = new Faults(0, 0, 0, 0, false, false, false, 1_000);

    static Faults draw(SplittableRandom random) {
        double loss = random.nextBoolean() ? random.nextDouble() * 0.15 : 0;
        double dup = random.nextBoolean() ? random.nextDouble() * 0.10 : 0;
        double spike = random.nextBoolean() ? random.nextDouble() * 0.05 : 0;
        long spikeMax = 50 + random.nextLong(950);
        boolean partitions = random.nextBoolean();
        boolean crashes = random.nextBoolean();
        boolean pauses = random.nextInt(3) == 0;
        if (!partitions && !crashes && !pauses && loss == 0) {
            crashes = true; // every seed gets at least one fault that forces leader changes
        }
        long every = 200 + random.nextLong(1800);
        return new Faults(loss, dup, spike, spikeMax, partitions, crashes, pauses, every);
    }

    @Override
    public String toString() {
        return String.format("loss=%.3f dup=%.3f spikes=%.3f(<=%dms) partitions=%s crashes=%s pauses=%s nemesis~%dms",
                lossRate, duplicateRate, delaySpikeRate, delaySpikeMaxMs, partitions, crashes, pauses, nemesisEveryMs);
    }
}
