package io.paxlog.client.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.client.core.Effect.ArmTimer;
import io.paxlog.client.core.Effect.Complete;
import io.paxlog.client.core.Effect.Connect;
import io.paxlog.client.core.Effect.SendCommand;
import io.paxlog.client.core.Effect.SendQuery;
import io.paxlog.client.core.Outcome.NotApplied;
import io.paxlog.client.core.Outcome.Unknown;
import io.paxlog.client.core.ServerAnswer.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The client's rules alone: events in, effects out. No sockets, no threads, no clock: time is a
 * number the test advances.
 */
class ClientCoreTest {

    private static final long MS = 1_000_000L;
    private static final long REQUEST_TIMEOUT = 5_000 * MS;
    private static final long NO_LEADER_TIMEOUT = 1_000 * MS;
    private static final long FIRST_LEADER_WAIT = 4_000 * MS;
    private static final long BACKOFF_MIN = 10 * MS;
    private static final long BACKOFF_MAX = 200 * MS;

    private long now = 1_000 * MS;
    private ClientCore<String> core = core(64, 100, 1);

    private static ClientCore<String> core(int maxOutstanding, int maxWaiting, long seed) {
        return core(maxOutstanding, maxWaiting, seed, 0);
    }

    private static ClientCore<String> core(int maxOutstanding, int maxWaiting, long seed, long attemptTimeout) {
        Map<Integer, String> servers = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            servers.put(id, id + "=s" + id);
        }
        return new ClientCore<>(new ClientCoreConfig(42, servers, new ClientCoreConfig.Timing(REQUEST_TIMEOUT,
                NO_LEADER_TIMEOUT, FIRST_LEADER_WAIT, attemptTimeout, BACKOFF_MIN, BACKOFF_MAX), maxOutstanding,
                maxWaiting), new SplittableRandom(seed));
    }

    // ---- Reading effects

    private static <T> List<T> all(List<Effect<String>> effects, Class<T> type) {
        return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T> T one(List<Effect<String>> effects, Class<T> type) {
        List<T> found = all(effects, type);
        assertThat(found).as("%s among %s", type.getSimpleName(), effects).hasSize(1);
        return found.get(0);
    }

    private static Outcome outcome(List<Effect<String>> effects, String handle) {
        List<Complete<String>> completes = new ArrayList<>();
        for (Effect<String> effect : effects) {
            if (effect instanceof Complete<String> complete && complete.handle().equals(handle)) {
                completes.add(complete);
            }
        }
        assertThat(completes).as("completions of %s among %s", handle, effects).hasSize(1);
        return completes.get(0).outcome();
    }

    // ---- Driving

    private Connect<String> submit(String handle) {
        Connect<String> first = one(core.submitCommand(handle, handle.getBytes(), now), Connect.class);
        if (core.session() != 0) {
            return first;
        }
        // The client's first command opens its session: server 42's register is answered at once.
        Effect.SendRegister<String> register = one(core.connected(first.attempt(), now), Effect.SendRegister.class);
        return one(core.answered(register.attempt(), ServerAnswer.applied(42, session(42, 30_000)), now), Connect.class);
    }

    /** A register's result: the session id and the session timeout in ms. */
    static byte[] session(long id, long timeoutMs) {
        return java.nio.ByteBuffer.allocate(16).putLong(id).putLong(timeoutMs).array();
    }

    /** Connects {@code attempt} and returns the command it sends. */
    private SendCommand<String> send(Connect<String> attempt) {
        return one(core.connected(attempt.attempt(), now), SendCommand.class);
    }

    private List<Effect<String>> answer(SendCommand<String> call, ServerAnswer answer) {
        return core.answered(call.attempt(), answer, now);
    }

    private List<Effect<String>> answer(SendCommand<String> call, Status status, int hint) {
        return answer(call, ServerAnswer.refused(status, hint, status.name().toLowerCase()));
    }

    /** Moves time to the next timer the core armed in {@code effects} and fires it. */
    private List<Effect<String>> fireTimer(List<Effect<String>> effects) {
        long at = all(effects, ArmTimer.class).stream().mapToLong(ArmTimer::at).min().orElseThrow(
                () -> new AssertionError("no timer armed among " + effects));
        now = Math.max(now, at);
        return core.timerFired(now);
    }

    @Test
    void aNotLeaderAnswerWithAHintIsFollowedAtOnceWithTheSameSequence() {
        SendCommand<String> first = send(submit("a"));
        assertThat(first.server()).isEqualTo(1);
        assertThat(first.sequence()).isEqualTo(1);
        assertThat(first.clientId()).isEqualTo(42);

        List<Effect<String>> redirected = answer(first, Status.NOT_LEADER, 2);
        Connect<String> toTwo = one(redirected, Connect.class);
        assertThat(toTwo.server()).isEqualTo(2);
        assertThat(one(redirected, Effect.LeaderChanged.class).leader()).isEqualTo(2);
        SendCommand<String> second = send(toTwo);
        assertThat(second.sequence()).isEqualTo(1);
        assertThat(second.attempt()).isNotEqualTo(first.attempt());

        Outcome outcome = outcome(answer(second, ServerAnswer.applied(7, new byte[] {9})), "a");
        assertThat(outcome).isEqualTo(new Outcome.Applied(7, new byte[] {9}));
        assertThat(core.leader()).isEqualTo(2);
        assertThat(send(submit("b")).server()).as("the next command goes straight to the leader").isEqualTo(2);
    }

    @Test
    void theOwnersLeaderHintSendsTheNextRequestThereAndUnknownServersAreIgnored() {
        assertThat(core.leaderHint(9, now)).as("not a configured server").isEmpty();
        assertThat(one(core.leaderHint(3, now), Effect.LeaderChanged.class).leader()).isEqualTo(3);
        assertThat(core.leaderHint(3, now)).as("already believed").isEmpty();
        assertThat(send(submit("a")).server()).isEqualTo(3);
    }

    @Test
    void aServerThatStopsAnsweringIsLeftForTheNextWithTheSameSequenceAndALateAnswerIsIgnored() {
        core = core(64, 100, 1, 150 * MS);
        SendCommand<String> first = send(submit("a"));
        // Server 1 takes the call and never answers (paused): the attempt timeout, not the request's, fires.
        List<Effect<String>> effects = fireTimer(List.of(new ArmTimer<>(now + 150 * MS)));
        assertThat(now).isLessThan(REQUEST_TIMEOUT);
        for (int round = 0; round < 10 && all(effects, Connect.class).isEmpty(); round++) {
            effects = fireTimer(effects);
        }
        Connect<String> next = one(effects, Connect.class);
        assertThat(next.server()).as("the next server, not the silent one").isEqualTo(2);
        SendCommand<String> retry = send(next);
        assertThat(retry.sequence()).as("a retry of the same command").isEqualTo(first.sequence());

        assertThat(answer(first, ServerAnswer.applied(3, new byte[] {1}))).as("the abandoned attempt's answer")
                .isEmpty();
        Outcome outcome = outcome(answer(retry, ServerAnswer.applied(3, new byte[] {1})), "a");
        assertThat(outcome).isEqualTo(new Outcome.Applied(3, new byte[] {1}));
    }

    @Test
    void aServerThatStopsAnsweringMakesTheOutcomeUnknownIfNoOtherAnswerSettlesIt() {
        core = core(64, 100, 1, 150 * MS);
        send(submit("a"));
        List<Effect<String>> effects = fireTimer(List.of(new ArmTimer<>(now + 150 * MS)));
        // Every other server is down: nothing else is ever sent, so only the silent attempt may have landed.
        for (int round = 0; round < 1000 && all(effects, Complete.class).isEmpty(); round++) {
            effects = new ArrayList<>(fireTimer(effects));
            for (Connect<String> connect : all(effects, Connect.class)) {
                effects.addAll(core.connectFailed(connect.attempt(), "refused", now));
            }
        }
        Outcome outcome = outcome(effects, "a");
        assertThat(outcome).isInstanceOf(Unknown.class);
        assertThat(outcome.message()).contains("1=s1 may have logged it");
    }

    @Test
    void aConnectionLostAfterTheCallWasSentMakesTheOutcomeUnknown() {
        SendCommand<String> call = send(submit("a"));
        List<Effect<String>> effects = core.lost(call.attempt(), "reset by peer", now);
        // Every further attempt fails before sending: the first one may still have reached server 1.
        for (int round = 0; round < 1000 && all(effects, Complete.class).isEmpty(); round++) {
            effects = new ArrayList<>(fireTimer(effects));
            for (Connect<String> connect : all(effects, Connect.class)) {
                effects.addAll(core.connectFailed(connect.attempt(), "refused", now));
            }
        }
        Outcome outcome = outcome(effects, "a");
        assertThat(outcome).isInstanceOf(Unknown.class);
        assertThat(outcome.mayHaveBeenApplied()).isTrue();
        assertThat(outcome.message()).contains("command c42 s42#1", "1=s1 may have logged it");
    }

    @Test
    void connectFailuresBeforeAnythingWasSentAreNotAppliedAndAStaleConnectSendsNothing() {
        Connect<String> connect = submit("a");
        List<Effect<String>> effects = core.connectFailed(connect.attempt(), "refused", now);
        Connect<String> late = null;
        for (int round = 0; round < 1000 && all(effects, Complete.class).isEmpty(); round++) {
            effects = new ArrayList<>(fireTimer(effects));
            for (Connect<String> next : all(effects, Connect.class)) {
                if (late == null) {
                    late = next; // this one's connection comes after the command gave up
                } else {
                    effects.addAll(core.connectFailed(next.attempt(), "refused", now));
                }
            }
        }
        Outcome outcome = outcome(effects, "a");
        assertThat(outcome).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.UNAVAILABLE));
        assertThat(outcome.message()).contains("unreachable (refused)", "not applied");

        // A command reported not applied must never reach a server afterwards.
        assertThat(core.connected(late.attempt(), now)).isEmpty();
        assertThat(core.pending()).isZero();
    }

    @Test
    void busyBacksOffWithJitterKeepsTheSequenceAndStaysNotApplied() {
        SendCommand<String> call = send(submit("a"));
        for (int busy = 0; busy < 6; busy++) {
            List<Effect<String>> effects = answer(call, Status.BUSY, 0);
            assertThat(all(effects, Connect.class)).as("no retry before the backoff").isEmpty();
            long delay = one(effects, ArmTimer.class).at() - now;
            long cap = Math.min(BACKOFF_MAX, BACKOFF_MIN << busy);
            assertThat(delay).isBetween(cap / 2, cap);
            call = send(one(fireTimer(effects), Connect.class));
            assertThat(call.sequence()).isEqualTo(1);
            assertThat(call.server()).as("BUSY says nothing about who leads").isEqualTo(1);
        }
        // The request timeout with only BUSY answers: no server took it.
        answer(call, Status.BUSY, 0);
        now += REQUEST_TIMEOUT;
        Outcome outcome = outcome(core.timerFired(now), "a");
        assertThat(outcome).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.UNAVAILABLE));
        assertThat(outcome.message()).contains("unavailable after 5 s", "BUSY");
    }

    @Test
    void theWindowHoldsBackSequencesBeyondTheOldestOutstandingOneAndFillsWhenItCompletes() {
        core = core(4, 100, 1);
        List<SendCommand<String>> sent = new ArrayList<>();
        // c0 opens the session and takes sequence 1.
        answer(send(submit("c0")), ServerAnswer.applied(1, new byte[0]));
        for (int i = 1; i <= 10; i++) {
            List<Effect<String>> effects = core.submitCommand("c" + i, new byte[0], now);
            for (Connect<String> connect : all(effects, Connect.class)) {
                sent.add(send(connect));
            }
        }
        assertThat(sent).extracting(SendCommand::sequence).containsExactly(2L, 3L, 4L, 5L);

        for (int i = 1; i < 4; i++) {
            assertThat(all(answer(sent.get(i), ServerAnswer.applied(i, new byte[0])), Connect.class))
                    .as("sequence 2 is unanswered: nothing beyond 5 may go").isEmpty();
        }
        // A retry of sequence 2 keeps its sequence and still lets nothing new in.
        List<Effect<String>> busy = answer(sent.get(0), Status.BUSY, 0);
        SendCommand<String> retry = send(one(fireTimer(busy), Connect.class));
        assertThat(retry.sequence()).isEqualTo(2);

        List<Effect<String>> room = answer(retry, ServerAnswer.applied(9, new byte[0]));
        List<Long> admitted = new ArrayList<>();
        for (Connect<String> connect : all(room, Connect.class)) {
            admitted.add(send(connect).sequence());
        }
        assertThat(admitted).containsExactly(6L, 7L, 8L, 9L);
    }

    @Test
    void aFullWindowWithNoWaitingAllowedFailsASubmitAtOnceAndTheRequestTimeoutEndsAWaitingCommandAsNotApplied() {
        core = core(1, 1, 1);
        send(submit("a"));
        assertThat(all(core.submitCommand("b", new byte[0], now), Connect.class)).as("b waits for room").isEmpty();
        Outcome c = outcome(core.submitCommand("c", new byte[0], now), "c");
        assertThat(c).isInstanceOfSatisfying(NotApplied.class, n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.NO_ROOM));
        assertThat(c.message()).contains("maxOutstanding 1", "maxWaiting 1");

        now += REQUEST_TIMEOUT;
        List<Effect<String>> timedOut = core.timerFired(now);
        assertThat(outcome(timedOut, "a")).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.TIMED_OUT));
        // b's room came only as a's timeout ended a, with b's own timeout due: it never sent a thing.
        assertThat(outcome(timedOut, "b")).isInstanceOf(NotApplied.class);
    }

    @Test
    void theRequestTimeoutAfterTheCommandWasSentIsOutcomeUnknown() {
        SendCommand<String> call = send(submit("a"));
        now += REQUEST_TIMEOUT - 1;
        assertThat(all(core.timerFired(now), Complete.class)).isEmpty();
        now += 1;
        Outcome outcome = outcome(core.timerFired(now), "a");
        assertThat(outcome).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.TIMED_OUT));
        assertThat(outcome.message()).contains("outcome unknown after 5 s", "no answer yet from 1=s1");
        assertThat(core.answered(call.attempt(), ServerAnswer.applied(1, new byte[0]), now))
                .as("an answer after the timeout is stale").isEmpty();
    }

    @Test
    void withAKnownLeaderGoneEveryServerSayingNoQuorumFailsAtTheNoLeaderTimeoutAndTheNextCommandAfterOneRound() {
        answer(send(submit("first")), ServerAnswer.applied(1, new byte[0]));
        long start = now;
        List<Effect<String>> effects = answer(send(submit("a")), Status.NO_QUORUM, 0);
        List<Integer> asked = new ArrayList<>(List.of(1));
        while (all(effects, Complete.class).isEmpty()) {
            effects = fireTimer(effects);
            for (Connect<String> connect : all(effects, Connect.class)) {
                asked.add(connect.server());
                effects = new ArrayList<>(effects);
                effects.addAll(answer(send(connect), Status.NO_QUORUM, 0));
            }
        }
        Outcome outcome = outcome(effects, "a");
        assertThat(outcome).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.NO_LEADER));
        assertThat(outcome.message()).contains("no quorum", "NO_QUORUM", "1=s1", "2=s2", "3=s3");
        assertThat(now - start).isBetween(NO_LEADER_TIMEOUT, NO_LEADER_TIMEOUT + BACKOFF_MAX);
        assertThat(asked).contains(1, 2, 3);
        assertThat(core.leader()).isZero();

        // Known to have no leader: the next command fails on its first answer.
        Connect<String> next = submit("b");
        assertThat(outcome(answer(send(next), Status.NO_QUORUM, 0), "b")).isInstanceOf(Unknown.class);
    }

    /**
     * A leader that lost its majority (a 2|3 split) answers NO_QUORUM, and its follower on the same side,
     * not yet timed out, still points back at it. Following that hint bounced the old leader's own
     * forwarder between the two until the follower's election timeout (its HTTP port went 4 s without a
     * write in `paxlog chaos availability`); the client asks the next server instead, and finds the new
     * leader. A hint to that server is followed again once its "no" is older than half the no-leader wait.
     */
    @Test
    void aHintBackToAServerThatJustSaidItDoesNotLeadIsPassedOverForTheNextServer() {
        answer(send(submit("first")), ServerAnswer.applied(1, new byte[0])); // server 1 led
        List<Effect<String>> effects = answer(send(submit("a")), Status.NO_QUORUM, 0);
        Connect<String> toTwo = one(fireTimer(effects), Connect.class);
        assertThat(toTwo.server()).isEqualTo(2);
        List<Effect<String>> stale = answer(send(toTwo), Status.NOT_LEADER, 1);
        assertThat(all(stale, Connect.class)).as("not straight back to server 1").isEmpty();
        Connect<String> toThree = one(fireTimer(stale), Connect.class);
        assertThat(toThree.server()).as("the next server, not the one that said no").isEqualTo(3);
        assertThat(outcome(answer(send(toThree), ServerAnswer.applied(5, new byte[0])), "a"))
                .isInstanceOf(Outcome.Applied.class);
        assertThat(core.leader()).isEqualTo(3);

        // Later: server 3 says no, and half the no-leader wait after, server 1 points to it. That "no" is
        // old enough that server 3 may lead by now: the hint is followed at once.
        List<Effect<String>> refused = answer(send(submit("b")), Status.NO_QUORUM, 0);
        now += NO_LEADER_TIMEOUT / 2;
        Connect<String> next = one(fireTimer(refused), Connect.class);
        assertThat(next.server()).isEqualTo(1);
        List<Effect<String>> pointed = answer(send(next), Status.NOT_LEADER, 3);
        assertThat(one(pointed, Connect.class).server()).isEqualTo(3);
    }

    /**
     * A deaf leader that stepped down says NO_QUORUM while its followers, still loyal, point at it until
     * their election timeout: the command is not given up as "no leader" meanwhile (they believe one
     * leads), and is applied by the leader they elect.
     */
    @Test
    void hintsPassedOverDoNotEndTheNoLeaderWaitWhileTheFollowersStillBelieveALeader() {
        answer(send(submit("first")), ServerAnswer.applied(1, new byte[0])); // server 1 led
        long start = now;
        List<Effect<String>> effects = answer(send(submit("a")), Status.NO_QUORUM, 0);
        List<Integer> asked = new ArrayList<>();
        while (now - start < NO_LEADER_TIMEOUT * 3 / 2) {
            effects = fireTimer(effects);
            assertThat(all(effects, Complete.class)).as("not given up while followers point at a leader").isEmpty();
            for (Connect<String> connect : all(effects, Connect.class)) {
                asked.add(connect.server());
                effects = new ArrayList<>(effects);
                effects.addAll(connect.server() == 1 ? answer(send(connect), Status.NO_QUORUM, 0)
                        : answer(send(connect), Status.NOT_LEADER, 1));
            }
            assertThat(all(effects, Complete.class)).as("not given up while followers point at a leader").isEmpty();
        }
        assertThat(asked).contains(1, 2, 3);
        // The followers elect server 3: the hints to it are followed, and it applies the command.
        Outcome outcome = null;
        while (outcome == null) {
            List<Effect<String>> pending = new ArrayList<>(fireTimer(effects));
            effects = new ArrayList<>(pending);
            while (!pending.isEmpty()) {
                List<Effect<String>> next = new ArrayList<>();
                for (Connect<String> connect : all(pending, Connect.class)) {
                    next.addAll(connect.server() == 3 ? answer(send(connect), ServerAnswer.applied(9, new byte[0]))
                            : answer(send(connect), Status.NOT_LEADER, 3));
                }
                effects.addAll(next);
                pending = next;
            }
            if (!all(effects, Complete.class).isEmpty()) {
                outcome = outcome(effects, "a");
            }
        }
        assertThat(now - start).as("applied soon after the election").isLessThan(REQUEST_TIMEOUT);
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
    }

    @Test
    void rightAfterTheServersStartAFreshClientWaitsOutTheFirstElectionInsteadOfTheNoLeaderTimeout() {
        long start = now;
        // The first command's register meets servers holding their first election.
        List<Effect<String>> effects = registerAnswered(
                one(core.submitCommand("a", new byte[0], now), Connect.class), refusedNoQuorum());
        while (now - start < NO_LEADER_TIMEOUT + 1_000 * MS) {
            assertThat(all(effects, Complete.class)).as("gave up at %d ms", (now - start) / MS).isEmpty();
            effects = fireTimer(effects);
            for (Connect<String> connect : all(effects, Connect.class)) {
                effects = new ArrayList<>(effects);
                effects.addAll(registerAnswered(connect, refusedNoQuorum()));
            }
        }
        // The election ends: server 3 leads, opens the session and applies the command.
        effects = fireTimer(effects);
        Connect<String> command = one(registerAnswered(one(effects, Connect.class),
                ServerAnswer.applied(42, session(42, 30_000))), Connect.class);
        assertThat(outcome(answer(send(command), ServerAnswer.applied(43, new byte[0])), "a"))
                .isInstanceOf(Outcome.Applied.class);
    }

    @Test
    void aFreshClientStillGivesUpAtTheFirstLeaderWaitWhenNoLeaderComesAndItsFirstCommandWasNeverSent() {
        long start = now;
        List<Effect<String>> effects = registerAnswered(
                one(core.submitCommand("a", new byte[0], now), Connect.class), refusedNoQuorum());
        while (all(effects, Complete.class).isEmpty()) {
            effects = fireTimer(effects);
            for (Connect<String> connect : all(effects, Connect.class)) {
                effects = new ArrayList<>(effects);
                effects.addAll(registerAnswered(connect, refusedNoQuorum()));
            }
        }
        assertThat(outcome(effects, "a")).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.UNAVAILABLE));
        assertThat(outcome(effects, "a").message()).contains("no session could be opened", "NO_QUORUM");
        assertThat(now - start).isBetween(FIRST_LEADER_WAIT, FIRST_LEADER_WAIT + BACKOFF_MAX);
    }

    private static ServerAnswer refusedNoQuorum() {
        return ServerAnswer.refused(Status.NO_QUORUM, 0, "no quorum");
    }

    /** Connects the register attempt {@code connect} and answers it {@code answer}. */
    private List<Effect<String>> registerAnswered(Connect<String> connect, ServerAnswer answer) {
        Effect.SendRegister<String> register = one(core.connected(connect.attempt(), now), Effect.SendRegister.class);
        return core.answered(register.attempt(), answer, now);
    }

    @Test
    void aFreshClientThatCanReachNoServerGivesUpAtTheNoLeaderTimeoutAsUnavailable() {
        long start = now;
        List<Effect<String>> effects = core.connectFailed(submit("a").attempt(), "refused", now);
        while (all(effects, Complete.class).isEmpty()) {
            effects = new ArrayList<>(fireTimer(effects));
            for (Connect<String> connect : all(effects, Connect.class)) {
                effects.addAll(core.connectFailed(connect.attempt(), "refused", now));
            }
        }
        assertThat(outcome(effects, "a")).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.UNAVAILABLE));
        assertThat(now - start).isBetween(NO_LEADER_TIMEOUT, NO_LEADER_TIMEOUT + BACKOFF_MAX);
    }

    @Test
    void rejectedIsFinalAndNotAppliedUnlessAnEarlierAttemptMayHaveReachedAServer() {
        Outcome first = outcome(answer(send(submit("a")), Status.REJECTED, 0), "a");
        assertThat(first).isEqualTo(new Outcome.Rejected(1, "rejected", "command c42 s42#1: rejected by 1=s1: rejected; not applied"));

        SendCommand<String> call = send(submit("b"));
        SendCommand<String> retry = send(one(answer(call, Status.NOT_LEADER, 2), Connect.class));
        Outcome second = outcome(answer(retry, Status.REJECTED, 0), "b");
        assertThat(second).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.RETRY_REJECTED));
        assertThat(second.message()).contains("rejected a retry", "reached 1=s1");
    }

    @Test
    void aServerErrorIsOutcomeUnknownAndNotRetried() {
        List<Effect<String>> effects = answer(send(submit("a")), ServerAnswer.refused(Status.ERROR, 0, "stopping"));
        assertThat(all(effects, Connect.class)).isEmpty();
        assertThat(outcome(effects, "a")).isInstanceOfSatisfying(Unknown.class, u -> {
            assertThat(u.reason()).isEqualTo(Unknown.Reason.SERVER_ERROR);
            assertThat(u.server()).isEqualTo(1);
            assertThat(u.serverMessage()).isEqualTo("stopping");
        });
    }

    @Test
    void aQueryHasNoSequenceMovesOnAfterAnErrorOrALostConnectionAndNeverEndsUnknown() {
        List<Effect<String>> effects = core.submitQuery("q", new byte[] {1}, now);
        SendQuery<String> atOne = one(core.connected(one(effects, Connect.class).attempt(), now), SendQuery.class);
        assertThat(atOne.server()).isEqualTo(1);
        effects = core.answered(atOne.attempt(), ServerAnswer.refused(Status.ERROR, 0, "stopping"), now);
        SendQuery<String> atTwo = one(core.connected(one(fireTimer(effects), Connect.class).attempt(), now), SendQuery.class);
        assertThat(atTwo.server()).isEqualTo(2);
        effects = core.lost(atTwo.attempt(), "reset", now);
        Connect<String> third = one(fireTimer(effects), Connect.class);
        assertThat(third.server()).isEqualTo(3);
        core.connected(third.attempt(), now);

        now += REQUEST_TIMEOUT;
        Outcome outcome = outcome(core.timerFired(now), "q");
        assertThat(outcome).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.QUERY_TIMED_OUT));
        assertThat(outcome.message()).contains("query c42/q1", "timed out after 5 s", "asking again is safe");
        assertThat(send(submit("c")).sequence()).as("the query took no sequence").isEqualTo(1);
    }

    @Test
    void closingEndsSentCommandsAsUnknownAndWaitingOnesAsNotApplied() {
        core = core(1, 10, 1);
        send(submit("a"));
        core.submitCommand("b", new byte[0], now);
        List<Effect<String>> closed = core.close(now);
        assertThat(outcome(closed, "a")).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.CLOSED));
        assertThat(outcome(closed, "b")).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.CLOSED));
        assertThat(all(closed, Connect.class)).as("b is not let into the room a left").isEmpty();
        assertThat(outcome(core.submitCommand("c", new byte[0], now), "c")).isInstanceOf(NotApplied.class);
        assertThat(core.pending()).isZero();
    }

    @Test
    void eventsOutOfOrderAndTimeGoingBackAreTheOwnersBugs() {
        Connect<String> connect = submit("a");
        assertThatThrownBy(() -> core.answered(connect.attempt(), ServerAnswer.applied(1, new byte[0]), now))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("out of order");
        assertThatThrownBy(() -> core.timerFired(now - 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sessionExpiredIsNotAppliedOnAFirstAttemptUnknownAfterOneThatMayHaveReachedALogAndANewSessionFollows() {
        SendCommand<String> first = send(submit("a"));
        assertThat(first.clientId()).as("the command carries the session").isEqualTo(42);
        Outcome a = outcome(answer(first, ServerAnswer.refused(Status.SESSION_EXPIRED, 0, "expired")), "a");
        assertThat(a).isInstanceOfSatisfying(NotApplied.class,
                n -> assertThat(n.reason()).isEqualTo(NotApplied.Reason.SESSION_EXPIRED));
        assertThat(core.session()).isZero();

        // The next command opens a new session, and numbers from 1 again.
        Connect<String> register = one(core.submitCommand("b", "b".getBytes(), now), Connect.class);
        SendCommand<String> b = send(one(registerAnswered(register, ServerAnswer.applied(77, session(77, 30_000))),
                Connect.class));
        assertThat(b.clientId()).isEqualTo(77);
        assertThat(b.sequence()).isEqualTo(1);
        // b's first copy may be in a deposed leader's log; its retry finds the session expired.
        SendCommand<String> retry = send(one(answer(b, Status.NOT_LEADER, 2), Connect.class));
        Outcome outcome = outcome(answer(retry, ServerAnswer.refused(Status.SESSION_EXPIRED, 0, "expired")), "b");
        assertThat(outcome).isInstanceOfSatisfying(Unknown.class,
                u -> assertThat(u.reason()).isEqualTo(Unknown.Reason.SESSION_EXPIRED));
        assertThat(outcome.message()).contains("may have been applied before the session expired");
    }

    @Test
    void anIdleSessionSendsAKeepAliveAboutEveryThirdOfItsTimeoutAndOneThatExpiredIsReopenedByTheNextCommand() {
        answer(send(submit("a")), ServerAnswer.applied(50, new byte[0]));
        long openedAt = now;
        List<Effect<String>> effects = List.of(new ArmTimer<>(now + 10_000 * MS));
        Effect.SendKeepAlive<String> keepAlive = null;
        for (int round = 0; round < 10 && keepAlive == null; round++) {
            effects = fireTimer(effects);
            for (Connect<String> connect : all(effects, Connect.class)) {
                keepAlive = one(core.connected(connect.attempt(), now), Effect.SendKeepAlive.class);
            }
        }
        assertThat(keepAlive).isNotNull();
        assertThat(keepAlive.sessionId()).isEqualTo(42);
        assertThat(now - openedAt).as("a third of the 30 s timeout").isEqualTo(10_000 * MS);
        core.answered(keepAlive.attempt(), ServerAnswer.refused(Status.SESSION_EXPIRED, 0, "expired"), now);
        assertThat(core.session()).isZero();
        Effect.SendRegister<String> register = one(core.connected(
                one(core.submitCommand("b", new byte[0], now), Connect.class).attempt(), now), Effect.SendRegister.class);
        assertThat(register.server()).isEqualTo(1);
    }

    @Test
    void aKeyedCommandCarriesItsKeyOutsideTheSessionAndKeyReusedIsRejectedNotApplied() {
        long key = ClientIdRanges.keyed(0x1234_5678_9abcL);
        Connect<String> connect = one(core.submitKeyed("k", key, new byte[] {1}, now), Connect.class);
        SendCommand<String> call = one(core.connected(connect.attempt(), now), SendCommand.class);
        assertThat(call.clientId()).isEqualTo(key);
        assertThat(call.sequence()).isEqualTo(1);
        assertThat(core.session()).as("no session needed").isZero();
        Outcome outcome = outcome(answer(call, ServerAnswer.refused(Status.KEY_REUSED, 0, "reused")), "k");
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Outcome.Rejected.Reason.KEY_REUSED));
        assertThatThrownBy(() -> core.submitKeyed("bad", 5, new byte[0], now)).isInstanceOf(IllegalArgumentException.class);
    }
}
