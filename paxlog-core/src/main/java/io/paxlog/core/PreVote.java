package io.paxlog.core;

import io.paxlog.api.Epoch;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import java.util.HashSet;
import java.util.Set;

/**
 * The pre-vote that comes before an overthrow (docs/prevote.md), both halves: asking, on a server
 * whose election timeout passed, and answering, on every server.
 *
 * <p><b>Asking.</b> Before it raises its epoch, a would-be leader sends {@code preOverthrow(e)} to
 * every other server, with {@code e} the epoch it would overthrow with. Once a majority, itself
 * included, grants, the replica raises its epoch and sends the real {@code overthrow}. Requests are
 * re-sent every heartbeat interval to the servers that have not granted (a server that declined
 * because a leader was alive may grant once it ages past the minimum election timeout); a round ends
 * at the next election timeout, and its grants with it, so a grant counts only while it is recent.
 *
 * <p><b>Answering</b> ({@link #grants}). Grant only when all hold: this server does not lead; it heard
 * from no live leader within the minimum election timeout (leader stickiness); and it would accept
 * {@code overthrow(e)}. Answering changes nothing: no promise, no timer, no leader hint, no step-down.
 * How far the asker's log reaches is not asked: a takeover reads a majority, so a leader that is
 * behind is safe, and turning it away would only let fewer servers win once the leader is gone.
 *
 * <p>Safety does not depend on any of this: a pre-vote writes nothing and promises nothing, and a real
 * {@code overthrow} is obeyed exactly as docs/protocol.md#overthrow says. The pre-vote only keeps a server that cannot
 * win (deaf, cut off from a majority) from raising epochs that depose a healthy leader.
 *
 * <p>The rules are one method each so tests can break them ({@code BrokenRules}).
 */
class PreVote {

    private final Replica replica;
    /** The round in progress: the epoch asked about, or null when no pre-vote runs. */
    private Epoch asking;
    private final Set<Integer> granted = new HashSet<>();
    private long resendAt;

    PreVote(Replica replica) {
        this.replica = replica;
    }

    // ---- Asking ----

    /**
     * Whether a server whose election timeout passed asks first. Always: a server that campaigns
     * directly raises epochs that depose a healthy leader even when it can never win. A hook only so
     * tests can break the rule.
     */
    boolean required() {
        return true;
    }

    boolean running() {
        return asking != null;
    }

    /**
     * Starts a round: asks every other server, and counts itself (it heard from no leader either).
     * Returns true when its own grant is a majority already (a cluster of one).
     */
    boolean begin(Epoch wouldBe) {
        asking = wouldBe;
        granted.clear();
        granted.add(replica.selfId());
        if (won()) {
            return true;
        }
        ask(true);
        return false;
    }

    /** Re-sends to the servers that have not granted, every heartbeat interval. */
    void tick(long now) {
        if (asking != null && now >= resendAt) {
            ask(false);
        }
    }

    /** A reply to a pre-vote of ours. Returns true when this grant completed a majority. */
    boolean reply(int from, PreOverthrowReply reply) {
        if (asking == null || !reply.epoch().equals(asking) || !reply.granted()) {
            return false; // an older round's answer, or a refusal: the refuser is asked again later
        }
        granted.add(from);
        return won();
    }

    /** Ends the round: it won, or a leader showed up, or this server's role changed. */
    void cancel() {
        asking = null;
        granted.clear();
    }

    /** Granted by a majority of every membership governing the next alpha slots, as the overthrow will need. */
    private boolean won() {
        MembershipHistory memberships = replica.memberships();
        return memberships.isQuorumOfEach(replica.appliedSlot() + 1, memberships.governedThrough(), granted);
    }

    private void ask(boolean everyone) {
        resendAt = replica.now() + replica.config().heartbeatIntervalMs();
        PreOverthrow request = new PreOverthrow(asking);
        for (int member : replica.memberships().involvedVoters()) {
            if (member != replica.selfId() && (everyone || !granted.contains(member))) {
                replica.out().send(member, request);
            }
        }
    }

    // ---- Answering ----

    /** Answers a pre-vote; changes nothing on this server. */
    void answer(int from, PreOverthrow request) {
        // Not asked: whether the asker is a voter as we know it. We may lag behind a promotion, and
        // refusing a newly promoted server could leave no one able to win; a removed server that wins
        // learns of its removal in its takeover and steps down (docs/membership.md#elections).
        boolean grant = grants(request);
        replica.out().send(from, new PreOverthrowReply(request.epoch(), replica.promised(), grant));
    }

    /**
     * The rule: grant only when no live leader is known here and this server would promise {@code e}
     * (docs/protocol.md#overthrow: {@code e >= promised}). docs/prevote.md explains each clause.
     */
    boolean grants(PreOverthrow request) {
        if (replica.heardFromLeaderRecently()) {
            return false; // leader stickiness: a live leader (this server too, if it leads) stays
        }
        return !request.epoch().isBelow(replica.promised());
    }

    /**
     * Whether a pre-vote counts as hearing from a leader at its epoch (stepping down, resetting the
     * election timer). Never: it comes from a server that promised nothing and may never win. A hook
     * only so tests can break the rule.
     */
    boolean yieldsTo(PreOverthrow request) {
        return false;
    }
}
