package io.paxlog.sim;

import io.paxlog.core.Membership;
import io.paxlog.core.MembershipChange;
import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The operator of a reconfiguring run (docs/membership.md): at random moments during faults, asks the
 * current leader for one change, conditional on the version that leader shows: add a spare (or a
 * removed server) as a learner, promote a learner, or remove a voter or learner. A spare added for the
 * first time starts on an empty disk. Changes race with faults, leader changes and each other; the
 * {@link Checker} judges every quorum by the memberships the chosen log makes, whatever the servers
 * believe.
 *
 * <p>Every answer is checked against the one outcome rule: APPLIED carries the next version; a
 * refusal leaves the membership as it was.
 */
final class Reconfigurer {

    /** Fewer voters than this and the run would mostly test how little a tiny cluster tolerates. */
    private static final int VOTERS_MIN = 3;

    private final Simulation sim;
    private final SplittableRandom random;

    Reconfigurer(Simulation sim) {
        this.sim = sim;
        this.random = sim.random();
    }

    void act() {
        int leader = sim.currentLeader();
        if (leader == 0) {
            return;
        }
        Node node = sim.node(leader);
        Membership membership = node.replica().membership();
        List<Integer> outsiders = new ArrayList<>();
        for (int id = 1; id <= sim.servers(); id++) {
            if (!membership.contains(id)) {
                outsiders.add(id);
            }
        }
        List<MembershipChange> choices = new ArrayList<>();
        long version = membership.version();
        for (int learner : membership.learners()) {
            choices.add(new MembershipChange.Promote(learner, version));
            choices.add(new MembershipChange.Remove(learner, version));
        }
        for (int outsider : outsiders) {
            choices.add(new MembershipChange.AddLearner(outsider, version));
        }
        if (membership.voters().size() > VOTERS_MIN) {
            for (int voter : membership.voters()) {
                choices.add(new MembershipChange.Remove(voter, version));
            }
        }
        if (choices.isEmpty()) {
            return;
        }
        MembershipChange change = choices.get(random.nextInt(choices.size()));
        if (random.nextInt(8) == 0) {
            // A stale operator: the version it saw has moved on (or will), so the change must be refused.
            change = stale(change);
        }
        if (change.kind() == MembershipChange.Kind.ADD_LEARNER) {
            sim.startIfNeverRan(change.server());
        }
        String what = change + " via " + leader;
        sim.trace().add(sim.now(), leader, "reconfigure", what, what.hashCode());
        MembershipChange asked = change;
        node.changeMembership(change, answer -> answered(leader, asked, answer), sim.now());
    }

    private MembershipChange stale(MembershipChange change) {
        long older = Math.max(0, change.expectedVersion() - 1 - random.nextInt(2));
        return switch (change.kind()) {
            case ADD_LEARNER -> new MembershipChange.AddLearner(change.server(), older);
            case PROMOTE -> new MembershipChange.Promote(change.server(), older);
            case REMOVE -> new MembershipChange.Remove(change.server(), older);
        };
    }

    private void answered(int leader, MembershipChange change, CommandAnswer answer) {
        String what = change + ": " + answer;
        sim.trace().add(sim.now(), leader, "reconfigured", what, what.hashCode());
        if (answer.status() == CommandAnswer.Status.APPLIED) {
            Membership now = MembershipChange.Result.decode(answer.result()).membership();
            if (now.version() != change.expectedVersion() + 1) {
                throw new Violation("membership: " + change + " was answered applied with " + now
                        + ", not the version after " + change.expectedVersion());
            }
            Membership chosen = sim.checker().memberships().latest();
            if (chosen.version() < now.version()) {
                throw new Violation("membership: " + change + " was answered applied with " + now
                        + " but the chosen log is only at " + chosen);
            }
        }
    }
}
