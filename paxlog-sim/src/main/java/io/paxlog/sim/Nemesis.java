package io.paxlog.sim;

import java.util.SplittableRandom;

/**
 * Picks and carries out one fault action among those the seed enabled: crash a server (restarting it
 * later), pause one, or reshape the network (random halves, isolated leader, one-way link, overlapping
 * majorities, a flapping link, or heal everything).
 */
final class Nemesis {

    private final Simulation sim;
    private final SplittableRandom random;

    Nemesis(Simulation sim) {
        this.sim = sim;
        this.random = sim.random();
    }

    void act() {
        Faults faults = sim.faults();
        int choices = (faults.crashes() ? 1 : 0) + (faults.pauses() ? 1 : 0) + (faults.partitions() ? 2 : 0)
                + (faults.congestion() ? 2 : 0);
        if (choices == 0) {
            return;
        }
        int pick = random.nextInt(choices);
        if (faults.crashes() && pick-- == 0) {
            crash();
        } else if (faults.pauses() && pick-- == 0) {
            pause();
        } else if (faults.congestion() && pick < 2) {
            congest();
        } else {
            partition();
        }
    }

    private void crash() {
        int id = random.nextInt(3) == 0 && sim.currentLeader() != 0 ? sim.currentLeader() : 1 + random.nextInt(sim.servers());
        if (!sim.isUp(id)) {
            return;
        }
        sim.crash(id);
        sim.scheduleRestart(id, 50 + random.nextLong(3_000));
    }

    private void pause() {
        int id = random.nextInt(2) == 0 && sim.currentLeader() != 0 ? sim.currentLeader() : 1 + random.nextInt(sim.servers());
        if (sim.isUp(id) && !sim.isPaused(id)) {
            sim.pause(id, 300 + random.nextLong(4_000));
        }
    }

    /** Some links get slow for a while: messages on them overtake each other and arrive late. */
    private void congest() {
        int n = sim.servers();
        long forMs = 100 + random.nextLong(1_000);
        StringBuilder links = new StringBuilder();
        for (int from = 1; from <= n; from++) {
            for (int to = 1; to <= n; to++) {
                if (from != to && random.nextInt(3) == 0) {
                    sim.slowLink(from, to, forMs);
                    links.append(from).append("->").append(to).append(' ');
                }
            }
        }
        String what = "congest " + forMs + "ms " + links;
        sim.trace().add(sim.now(), 0, "network", what, what.hashCode());
    }

    private void partition() {
        int n = sim.servers();
        int kind = random.nextInt(8);
        String what;
        switch (kind) {
            case 0 -> {
                sim.healAllLinks();
                what = "heal";
            }
            case 1 -> {
                sim.healAllLinks();
                int[] ids = sim.shuffledIds();
                int split = 1 + random.nextInt(n - 1);
                for (int i = 0; i < split; i++) {
                    for (int j = split; j < n; j++) {
                        sim.block(ids[i], ids[j], true);
                        sim.block(ids[j], ids[i], true);
                    }
                }
                what = "halves " + split + "/" + (n - split);
            }
            case 2 -> {
                int leader = sim.currentLeader();
                if (leader == 0) {
                    return;
                }
                sim.healAllLinks();
                for (int other = 1; other <= n; other++) {
                    if (other != leader) {
                        sim.block(leader, other, true);
                        sim.block(other, leader, true);
                    }
                }
                what = "isolate leader " + leader;
            }
            case 3 -> {
                int from = 1 + random.nextInt(n);
                int to = 1 + random.nextInt(n);
                if (from == to) {
                    return;
                }
                sim.block(from, to, true);
                what = "one-way " + from + "->" + to;
            }
            case 4 -> {
                // Overlapping majorities: the middle server sees both sides, the sides not each other.
                sim.healAllLinks();
                int[] ids = sim.shuffledIds();
                int side = (n - 1) / 2;
                for (int i = 0; i < side; i++) {
                    for (int j = n - side; j < n; j++) {
                        sim.block(ids[i], ids[j], true);
                        sim.block(ids[j], ids[i], true);
                    }
                }
                what = "bridge via " + ids[side];
            }
            case 5 -> {
                int from = 1 + random.nextInt(n);
                int to = 1 + random.nextInt(n);
                if (from == to) {
                    return;
                }
                sim.flap(from, to, 2 + random.nextInt(20));
                sim.flap(to, from, 2 + random.nextInt(20));
                what = "flapping " + from + "<->" + to;
            }
            case 6 -> {
                // The leader still reaches a majority, but one follower stops hearing it and starts
                // an election while the old leader keeps storing: the classic duel.
                int leader = sim.currentLeader();
                int follower = 1 + random.nextInt(n);
                if (leader == 0 || follower == leader) {
                    return;
                }
                sim.block(leader, follower, true);
                what = "deafen " + follower + " to leader " + leader;
            }
            default -> {
                int id = sim.currentLeader() != 0 && random.nextBoolean() ? sim.currentLeader() : 1 + random.nextInt(n);
                for (int other = 1; other <= n; other++) {
                    if (other != id) {
                        sim.block(id, other, true); // it hears everyone, nobody hears it
                    }
                }
                what = "mute " + id;
            }
        }
        sim.trace().add(sim.now(), 0, "network", what, what.hashCode());
    }
}
