package io.paxlog.core;

import io.paxlog.api.codec.Binary;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Who the cluster is at one point of the log (docs/membership.md): the voters, whose majorities
 * choose commands and elect leaders; the learners, which receive the log and count for nothing; a
 * version that every change raises by one; and {@code alpha}, the distance between the slot where a
 * change is chosen and the first slot it governs. Alpha is fixed by the seed and the same on every
 * server, since it decides which membership governs a slot.
 *
 * <p>Immutable. Lists are sorted and hold distinct positive ids; a server is never both.
 */
public record Membership(long version, List<Integer> voters, List<Integer> learners, int alpha) {

    /** The most voters a membership may have: quorums are counted in 32-bit masks in places. */
    public static final int VOTERS_MAX = 31;

    public Membership {
        voters = sortedDistinct(voters, "voters");
        learners = sortedDistinct(learners, "learners");
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a membership needs at least one voter");
        }
        if (voters.size() > VOTERS_MAX) {
            throw new IllegalArgumentException("at most " + VOTERS_MAX + " voters, was " + voters.size());
        }
        for (int learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException("server " + learner + " is both a voter and a learner");
            }
        }
        if (alpha < 1) {
            throw new IllegalArgumentException("alpha must be at least 1, was " + alpha);
        }
        if (version < 1) {
            throw new IllegalArgumentException("membership versions start at 1, was " + version);
        }
    }

    /** The first membership, from the configuration file: version 1, every listed server a voter. */
    public static Membership seed(List<Integer> voters, int alpha) {
        return new Membership(1, voters, List.of(), alpha);
    }

    public boolean isVoter(int id) {
        return voters.contains(id);
    }

    public boolean isLearner(int id) {
        return learners.contains(id);
    }

    public boolean contains(int id) {
        return isVoter(id) || isLearner(id);
    }

    /** Voters and learners: every server the log goes to. */
    public List<Integer> all() {
        List<Integer> all = new ArrayList<>(voters);
        all.addAll(learners);
        return all;
    }

    public int majority() {
        return voters.size() / 2 + 1;
    }

    /** Whether {@code servers} hold a majority of the voters; learners and strangers count for nothing. */
    public boolean isQuorum(Collection<Integer> servers) {
        int count = 0;
        for (int voter : voters) {
            if (servers.contains(voter)) {
                count++;
            }
        }
        return count >= majority();
    }

    /** The change applied to this membership: the next one, or why it is refused (nothing changes then). */
    public MembershipChange.Result apply(MembershipChange change) {
        if (change.expectedVersion() != version) {
            return MembershipChange.Result.refused(this, "the membership is at version " + version
                    + ", the change expected version " + change.expectedVersion());
        }
        int id = change.server();
        if (id <= 0) {
            return MembershipChange.Result.refused(this, "server ids are positive, was " + id);
        }
        List<Integer> newVoters = new ArrayList<>(voters);
        List<Integer> newLearners = new ArrayList<>(learners);
        switch (change.kind()) {
            case ADD_LEARNER -> {
                if (contains(id)) {
                    return MembershipChange.Result.refused(this, "server " + id + " is already a "
                            + (isVoter(id) ? "voter" : "learner"));
                }
                newLearners.add(id);
            }
            case PROMOTE -> {
                if (!isLearner(id)) {
                    return MembershipChange.Result.refused(this, "server " + id + " is not a learner"
                            + (isVoter(id) ? " (already a voter)" : ""));
                }
                if (voters.size() >= VOTERS_MAX) {
                    return MembershipChange.Result.refused(this, "at most " + VOTERS_MAX + " voters");
                }
                newLearners.remove(Integer.valueOf(id));
                newVoters.add(id);
            }
            case REMOVE -> {
                if (!contains(id)) {
                    return MembershipChange.Result.refused(this, "server " + id + " is not a member");
                }
                if (isVoter(id) && voters.size() == 1) {
                    return MembershipChange.Result.refused(this, "server " + id + " is the last voter");
                }
                newVoters.remove(Integer.valueOf(id));
                newLearners.remove(Integer.valueOf(id));
            }
        }
        return MembershipChange.Result.applied(new Membership(version + 1, newVoters, newLearners, alpha));
    }

    void writeTo(Binary.Writer out) {
        out.putLong(version).putInt(alpha).putInt(voters.size());
        voters.forEach(out::putInt);
        out.putInt(learners.size());
        learners.forEach(out::putInt);
    }

    static Membership readFrom(Binary.Reader in) {
        long version = in.getLong();
        int alpha = in.getInt();
        List<Integer> voters = readIds(in);
        List<Integer> learners = readIds(in);
        return new Membership(version, voters, learners, alpha);
    }

    private static List<Integer> readIds(Binary.Reader in) {
        int count = in.getInt();
        if (count < 0 || count > 1024) {
            throw new IllegalArgumentException("a membership lists " + count + " servers");
        }
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(in.getInt());
        }
        return ids;
    }

    private static List<Integer> sortedDistinct(List<Integer> ids, String what) {
        TreeSet<Integer> sorted = new TreeSet<>(ids);
        if (sorted.size() != ids.size()) {
            throw new IllegalArgumentException(what + " must be distinct: " + ids);
        }
        if (!sorted.isEmpty() && sorted.first() <= 0) {
            throw new IllegalArgumentException("server ids must be positive: " + ids);
        }
        return List.copyOf(sorted);
    }

    @Override
    public String toString() {
        return "v" + version + " voters=" + voters + (learners.isEmpty() ? "" : " learners=" + learners);
    }
}
