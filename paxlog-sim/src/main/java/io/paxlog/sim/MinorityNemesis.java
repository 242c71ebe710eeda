package io.paxlog.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The faults of a minority-only run ({@link Faults#minorityOnly}): a minority of the servers, chosen at
 * the first action (often with the leader of the moment among them), is crashed in a loop, paused,
 * made deaf (it sends, hears nothing), mute (it hears, nobody hears it), cut one way or both, or given
 * flapping links. The servers outside it are never touched and their links among themselves stay a
 * healthy LAN, so the cluster must stay available: that is what the clients' availability check holds
 * it to.
 */
final class MinorityNemesis {

    private final Simulation sim;
    private final SplittableRandom random;

    MinorityNemesis(Simulation sim) {
        this.sim = sim;
        this.random = sim.random();
    }

    /** Chooses the faulty minority: 1 to (n-1)/2 servers, the current leader among them half the time. */
    static int[] chooseMinority(Simulation sim, SplittableRandom random) {
        int n = sim.servers();
        int size = 1 + random.nextInt((n - 1) / 2);
        int[] ids = sim.shuffledIds();
        int leader = sim.currentLeader();
        if (leader != 0 && random.nextBoolean()) {
            for (int i = 0; i < n; i++) {
                if (ids[i] == leader) {
                    ids[i] = ids[0];
                    ids[0] = leader;
                }
            }
        }
        int[] minority = Arrays.copyOf(ids, size);
        Arrays.sort(minority);
        return minority;
    }

    void act(int[] minority) {
        int n = sim.servers();
        int id = minority[random.nextInt(minority.length)];
        int other = 1 + random.nextInt(n);
        String what;
        switch (random.nextInt(8)) {
            case 0 -> {
                if (!sim.isUp(id)) {
                    return;
                }
                sim.crash(id);
                sim.scheduleRestart(id, 50 + random.nextLong(1_000)); // crashes in a loop
                what = "crash " + id;
            }
            case 1 -> {
                if (!sim.isUp(id) || sim.isPaused(id)) {
                    return;
                }
                sim.pause(id, 300 + random.nextLong(4_000));
                what = "pause " + id;
            }
            case 2 -> {
                for (int peer = 1; peer <= n; peer++) {
                    if (peer != id) {
                        sim.block(peer, id, true); // it still sends; it hears nothing
                    }
                }
                what = "deaf " + id;
            }
            case 3 -> {
                for (int peer = 1; peer <= n; peer++) {
                    if (peer != id) {
                        sim.block(id, peer, true); // it hears everyone; nobody hears it
                    }
                }
                what = "mute " + id;
            }
            case 4 -> {
                for (int peer = 1; peer <= n; peer++) {
                    if (peer != id) {
                        sim.block(id, peer, true);
                        sim.block(peer, id, true);
                    }
                }
                what = "isolate " + id;
            }
            case 5 -> {
                if (other == id) {
                    return;
                }
                boolean out = random.nextBoolean();
                sim.block(out ? id : other, out ? other : id, true);
                what = "one-way " + (out ? id + "->" + other : other + "->" + id);
            }
            case 6 -> {
                if (other == id) {
                    return;
                }
                sim.flap(id, other, 2 + random.nextInt(20));
                sim.flap(other, id, 2 + random.nextInt(20));
                what = "flapping " + id + "<->" + other;
            }
            default -> {
                sim.healAllLinks(); // only the minority's links are ever cut
                what = "heal";
            }
        }
        sim.trace().add(sim.now(), 0, "minority", what, what.hashCode());
    }
}
