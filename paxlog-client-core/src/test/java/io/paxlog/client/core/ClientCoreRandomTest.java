package io.paxlog.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.core.ServerAnswer.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The core against a seeded random network and cluster: connects fail, calls are lost or never
 * answered, servers answer anything. Whatever happens, the rules hold: no call outside the
 * exactly-once window, every request ends once and within its request timeout, "not applied" only
 * when no attempt could have reached a server's log, "applied" only when a server applied it, and a
 * query never ends "unknown". Sessions open through random registers and expire at random: a
 * command is "not applied" after SESSION_EXPIRED only if no earlier copy of it may have been applied
 * while its session was open. A failure names the seed.
 */
class ClientCoreRandomTest {

    private static final long MS = 1_000_000L;
    private static final long REQUEST_TIMEOUT = 2_000 * MS;
    private static final int MAX_OUTSTANDING = 4;

    /** Something the network does at a time; ties keep their order of scheduling. */
    private record Event(long at, long order, Supplier<List<Effect<String>>> action) {}

    @Test
    void underRandomFaultsTheRulesHold() {
        for (long seed = 1; seed <= 300; seed++) {
            new Run(seed).check();
        }
    }

    private static final class Run implements Effect.Handler<String> {

        final long seed;
        final SplittableRandom network;
        final ClientCore<String> core;
        final PriorityQueue<Event> events = new PriorityQueue<>(
                (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        long order;
        long now;
        final Map<String, Long> submittedAt = new HashMap<>();
        final Map<String, Outcome> outcomes = new HashMap<>();
        /** Commands (by handle) some attempt may have put into a server's log while their session was open. */
        final Set<String> reached = new HashSet<>();
        final Set<String> applied = new HashSet<>();
        /** Per session: the sequences sent and not completed (only sent copies can meet the servers' window). */
        final Map<Long, java.util.TreeSet<Long>> sentIncomplete = new HashMap<>();
        /** The session of each handle's last attempt. */
        final Map<String, Long> sessionOf = new HashMap<>();
        final Set<Long> expiredSessions = new HashSet<>();
        final Map<String, Long> sequenceOf = new HashMap<>();
        long nextSession = 1;

        Run(long seed) {
            this.seed = seed;
            this.network = new SplittableRandom(seed * 7919);
            Map<Integer, String> servers = new LinkedHashMap<>();
            for (int id = 1; id <= 3; id++) {
                servers.put(id, id + "=s" + id);
            }
            // Every other seed stops waiting on a silent server after 150 ms.
            core = new ClientCore<>(new ClientCoreConfig(42, servers, new ClientCoreConfig.Timing(REQUEST_TIMEOUT,
                    300 * MS, 600 * MS, seed % 2 == 0 ? 150 * MS : 0, 5 * MS, 50 * MS), MAX_OUTSTANDING, 6),
                    new SplittableRandom(seed));
        }

        void at(long time, Supplier<List<Effect<String>>> action) {
            events.add(new Event(time, order++, action));
        }

        void check() {
            for (int i = 0; i < 40; i++) {
                String handle = (network.nextInt(5) == 0 ? "q" : "c") + i;
                long time = network.nextLong(3_000 * MS);
                at(time, () -> {
                    submittedAt.put(handle, now);
                    return handle.startsWith("q") ? core.submitQuery(handle, handle.getBytes(), now)
                            : core.submitCommand(handle, handle.getBytes(), now);
                });
            }
            int steps = 0;
            while (!events.isEmpty()) {
                assertThat(++steps).as("seed %d: steps", seed).isLessThan(1_000_000);
                Event next = events.poll();
                now = Math.max(now, next.at);
                for (Effect<String> effect : next.action.get()) {
                    effect.applyTo(this);
                }
            }
            assertThat(outcomes).as("seed %d: every request ended", seed).hasSize(submittedAt.size());
            assertThat(core.pending()).isZero();
        }

        long soon() {
            return now + network.nextLong(3 * MS);
        }

        @Override
        public void connect(Effect.Connect<String> connect) {
            long attempt = connect.attempt();
            if (network.nextInt(5) == 0) {
                at(soon(), () -> core.connectFailed(attempt, "refused", now));
            } else {
                at(soon(), () -> core.connected(attempt, now));
            }
        }

        @Override
        public void sendCommand(Effect.SendCommand<String> send) {
            long session = send.clientId();
            java.util.TreeSet<Long> open = sentIncomplete.computeIfAbsent(session, s -> new java.util.TreeSet<>());
            long smallest = open.isEmpty() ? send.sequence() : Math.min(open.first(), send.sequence());
            assertThat(send.sequence() - smallest).as("seed %d: sequence %d sent while %d is incomplete",
                    seed, send.sequence(), smallest).isLessThan(MAX_OUTSTANDING);
            open.add(send.sequence());
            assertThat(session).as("seed %d: a command carries a session the servers opened", seed)
                    .isBetween(1L, nextSession - 1);
            String handle = new String(send.payload());
            Long before = sessionOf.put(handle, session);
            if (before != null && before != session) {
                // Never sent in that session in a way that could reach a log: the core moved it on.
                assertThat(reached).as("seed %d: %s moved to another session after it may have been logged", seed,
                        handle).doesNotContain(handle);
                completed(before, sequenceOf.get(handle));
            }
            sequenceOf.put(handle, send.sequence());
            if (expiredSessions.contains(session) || network.nextInt(30) == 0) {
                expiredSessions.add(session); // the servers dropped it: this copy is not applied, nor any later one
                at(soon(), () -> core.answered(send.attempt(), ServerAnswer.refused(Status.SESSION_EXPIRED, 0, "expired"),
                        now));
                return;
            }
            answer(send.attempt(), handle);
        }

        @Override
        public void sendQuery(Effect.SendQuery<String> send) {
            answer(send.attempt(), null);
        }

        @Override
        public void sendRegister(Effect.SendRegister<String> send) {
            int roll = network.nextInt(10);
            if (roll < 6) {
                long session = nextSession++;
                byte[] result = java.nio.ByteBuffer.allocate(16).putLong(session).putLong(900).array();
                at(soon(), () -> core.answered(send.attempt(), ServerAnswer.applied(session, result), now));
            } else if (roll < 8) {
                at(soon(), () -> core.answered(send.attempt(), ServerAnswer.refused(Status.NOT_LEADER, 0, "no"), now));
            } else if (roll < 9) {
                at(soon(), () -> core.lost(send.attempt(), "reset", now));
            } // else never answered
        }

        @Override
        public void sendKeepAlive(Effect.SendKeepAlive<String> send) {
            boolean expired = expiredSessions.contains(send.sessionId()) || network.nextInt(10) == 0;
            if (expired) {
                expiredSessions.add(send.sessionId());
            }
            ServerAnswer answer = expired ? ServerAnswer.refused(Status.SESSION_EXPIRED, 0, "expired")
                    : ServerAnswer.applied(1, new byte[0]);
            at(soon(), () -> core.answered(send.attempt(), answer, now));
        }

        /** A random server's random fate for one call; {@code handle} null for a query. */
        private void answer(long attempt, String handle) {
            int roll = network.nextInt(100);
            boolean mayBeLogged = roll >= 10; // only BUSY and REJECTED keep a command out of the log
            if (handle != null && mayBeLogged) {
                reached.add(handle);
            }
            ServerAnswer answer;
            if (roll < 5) {
                answer = ServerAnswer.refused(Status.BUSY, 0, "busy");
            } else if (roll < 10) {
                answer = ServerAnswer.refused(Status.REJECTED, 0, "rejected");
            } else if (roll < 40) {
                if (handle != null) {
                    applied.add(handle);
                }
                answer = ServerAnswer.applied(1, new byte[0]);
            } else if (roll < 60) {
                answer = ServerAnswer.refused(Status.NOT_LEADER, network.nextInt(5), "not leader");
            } else if (roll < 80) {
                answer = ServerAnswer.refused(Status.NO_QUORUM, 0, "no quorum");
            } else if (roll < 83) {
                answer = ServerAnswer.refused(Status.ERROR, 0, "error");
            } else if (roll < 93) {
                at(soon(), () -> core.lost(attempt, "reset", now));
                return;
            } else {
                return; // never answered
            }
            ServerAnswer given = answer;
            at(soon(), () -> core.answered(attempt, given, now));
        }

        @Override
        public void armTimer(Effect.ArmTimer<String> timer) {
            assertThat(timer.at()).isGreaterThanOrEqualTo(now);
            at(timer.at(), () -> core.timerFired(now));
        }

        @Override
        public void complete(Effect.Complete<String> complete) {
            String handle = complete.handle();
            Outcome outcome = complete.outcome();
            long sequence = complete.sequence();
            assertThat(outcomes.put(handle, outcome)).as("seed %d: %s ended twice", seed, handle).isNull();
            assertThat(now - submittedAt.get(handle)).as("seed %d: %s took", seed, handle).isLessThanOrEqualTo(REQUEST_TIMEOUT);
            if (handle.startsWith("q")) {
                assertThat(outcome.kind()).as("seed %d: query %s: %s", seed, handle, outcome.message())
                        .isNotEqualTo(Outcome.Kind.UNKNOWN);
                return;
            }
            switch (outcome.kind()) {
                case APPLIED -> assertThat(applied).as("seed %d: %s", seed, handle).contains(handle);
                case NOT_APPLIED, REJECTED -> assertThat(reached).as("seed %d: %s: %s", seed, handle, outcome.message())
                        .doesNotContain(handle);
                case UNKNOWN -> assertThat(sequence).isPositive();
            }
            Long session = sessionOf.get(handle);
            if (sequence != 0 && session != null) {
                completed(session, sequence);
            }
        }

        private void completed(long session, long sequence) {
            sentIncomplete.getOrDefault(session, new java.util.TreeSet<>()).remove(sequence);
        }

        @Override
        public void leaderChanged(Effect.LeaderChanged<String> change) {
            assertThat(change.leader()).isBetween(0, 3);
        }
    }

    @Test
    void theBackoffJitterComesFromTheGivenGeneratorOnly() {
        assertThat(backoffs(17)).isEqualTo(backoffs(17)).isNotEqualTo(backoffs(18));
    }

    /** When a command answered BUSY eight times in a row is retried, for a core seeded {@code seed}. */
    private static List<Long> backoffs(long seed) {
        ClientCore<String> core = new Run(seed).core;
        List<Long> retries = new ArrayList<>();
        List<Effect<String>> effects = core.submitCommand("a", new byte[0], 0);
        long register = ((Effect.Connect<String>) effects.get(0)).attempt();
        core.connected(register, 0);
        effects = core.answered(register, ServerAnswer.applied(5,
                java.nio.ByteBuffer.allocate(16).putLong(5).putLong(60_000).array()), 0);
        for (int busy = 0; busy < 8; busy++) {
            long attempt = ((Effect.Connect<String>) effects.stream().filter(Effect.Connect.class::isInstance)
                    .findFirst().orElseThrow()).attempt();
            core.connected(attempt, retries.isEmpty() ? 0 : retries.get(retries.size() - 1));
            long now = retries.isEmpty() ? 0 : retries.get(retries.size() - 1);
            long retryAt = core.answered(attempt, ServerAnswer.refused(Status.BUSY, 0, ""), now).stream()
                    .filter(Effect.ArmTimer.class::isInstance).mapToLong(e -> ((Effect.ArmTimer<String>) e).at())
                    .min().orElseThrow();
            retries.add(retryAt);
            effects = core.timerFired(retryAt);
        }
        return retries;
    }
}
