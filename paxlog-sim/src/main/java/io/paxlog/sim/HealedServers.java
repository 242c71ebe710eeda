package io.paxlog.sim;

import io.paxlog.core.Membership;
import io.paxlog.core.MembershipHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Which servers the liveness phase heals (started, resumed and connected; the others cut off): a
 * majority of the latest membership, and a majority of every membership governing a slot from the
 * lowest applied slot among them up to alpha past the chosen prefix. Any fewer and the healed servers
 * may be unable to finish a takeover, which needs a majority of the membership of every slot it
 * recovers (docs/membership.md#takeover): the protocol's rule, not a liveness bug. Without
 * reconfiguration this is a random majority, as ever.
 */
final class HealedServers {

    private HealedServers() {}

    /** Chooses them (the memberships as the chosen log makes them), starting or resuming each one. */
    static int[] choose(Simulation sim, MembershipHistory chosen, SplittableRandom random) {
        Set<Integer> healed = new TreeSet<>();
        boolean grew = true;
        long from = chosen.appliedSlot() + 1;
        while (grew) {
            grew = addMajority(healed, chosen.latest(), random);
            for (Membership membership : chosen.governingRange(Math.max(1, from), chosen.governedThrough())) {
                grew |= addMajority(healed, membership, random);
            }
            for (int id : healed) {
                sim.ensureRunning(id);
                if (sim.node(id) != null) {
                    from = Math.min(from, sim.node(id).replica().appliedSlot() + 1);
                }
            }
        }
        return healed.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Adds random voters of {@code membership} to {@code healed} until they hold a majority of it. */
    private static boolean addMajority(Set<Integer> healed, Membership membership, SplittableRandom random) {
        List<Integer> others = new ArrayList<>(membership.voters());
        others.removeAll(healed);
        boolean grew = false;
        while (!membership.isQuorum(healed)) {
            healed.add(others.remove(random.nextInt(others.size())));
            grew = true;
        }
        return grew;
    }
}
