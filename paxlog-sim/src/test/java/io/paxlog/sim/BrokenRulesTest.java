package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.core.BrokenRules;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checks have teeth: break one easy-to-get-wrong rule of docs/protocol.md and the simulator reports a
 * violation within 200 random seeds of 20 simulated seconds. Seeds run until the first violation, so a
 * caught rule costs little.
 *
 * <p>Three rules are caught only because the {@link Checker} checks them on what a server sends, the
 * moment it sends it: Rule D ({@link BrokenRules#REPLY_BEFORE_DURABLE}), reading only servers that
 * promised ({@link BrokenRules#READ_FROM_ANY_SERVER}) and confirming leadership before a read-index
 * answer ({@link BrokenRules#READ_WITHOUT_CONFIRMING_LEADERSHIP}). Judged by their outcome alone (a wrong
 * choice, a lost write, a stale read), the two read rules met no failing interleaving in 200 seeds;
 * {@link ReadFromAnyServerTest} and {@link DeposedLeaderReadTest} script those interleavings.
 *
 * <p>{@link BrokenRules#availability()} (NO_PRE_VOTE, YIELD_TO_ANY_HIGHER_EPOCH) keep every safety
 * invariant and only let a server that cannot win depose a healthy leader: the simulator's availability
 * check (minority-only seeds, {@link SimClients#AVAILABILITY_BOUND_MS}) catches them.
 */
class BrokenRulesTest {

    private static final int SEEDS_MAX = 200;

    @ParameterizedTest
    @EnumSource(BrokenRules.class)
    void simulatorCatchesTheBrokenRuleWithin200Seeds(BrokenRules rule) {
        SeedResult firstFailure = firstFailure(rule);
        assertThat(firstFailure)
                .as("breaking %s must be caught within %d seeds", rule, SEEDS_MAX)
                .isNotNull();
        System.out.printf("%s caught at seed %d: %s%n", rule, firstFailure.seed(), firstFailure.violation());
    }

    /**
     * The send-time rules are caught by their own check, not by a consequence met later: without the
     * check, Rule D's breakage surfaced in one seed of 100 (a core assertion), the read rules' in none of
     * 400.
     */
    @ParameterizedTest
    @CsvSource({
        "REPLY_BEFORE_DURABLE, 'Rule D: '",
        "READ_FROM_ANY_SERVER, 'read target: '",
        "READ_WITHOUT_CONFIRMING_LEADERSHIP, 'read-index: '"})
    void sendTimeRulesAreCaughtWhenTheMessageLeaves(BrokenRules rule, String check) {
        SeedResult firstFailure = firstFailure(rule);
        assertThat(firstFailure).as("breaking %s must be caught within %d seeds", rule, SEEDS_MAX).isNotNull();
        assertThat(firstFailure.violation()).startsWith(check);
    }

    /**
     * The membership rules (docs/membership.md) are caught by the checks made for them, which judge
     * quorums by the checker's own replay of the chosen log: a slot finalized without a majority of its
     * governing membership, a takeover slot re-proposed without reading it from one.
     */
    @ParameterizedTest
    @CsvSource({
        "MEMBERSHIP_TAKES_EFFECT_AT_ONCE, 'quorum: '",
        "TAKEOVER_FROM_OLD_MEMBERSHIP_ONLY, 'membership quorum: '"})
    void membershipRulesAreCaughtByTheirOwnChecks(BrokenRules rule, String check) {
        SeedResult firstFailure = firstFailure(rule);
        assertThat(firstFailure).as("breaking %s must be caught within %d seeds", rule, SEEDS_MAX).isNotNull();
        assertThat(firstFailure.violation()).startsWith(check);
    }

    /** The first of seeds 1..200 whose run reports a violation, or null. */
    private static SeedResult firstFailure(BrokenRules rule) {
        SimOptions options = SimOptions.defaults().withSafetyMs(20_000).withFactory(rule.factory());
        for (long seed = 1; seed <= SEEDS_MAX; seed++) {
            SeedResult result = Simulation.run(seed, options);
            if (!result.passed()) {
                return result;
            }
        }
        return null;
    }
}
