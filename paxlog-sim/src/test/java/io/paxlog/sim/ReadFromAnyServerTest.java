package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Store;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import io.paxlog.core.BrokenRules;
import io.paxlog.core.ClientRequest;
import io.paxlog.core.Effects;
import io.paxlog.core.Replica;
import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import io.paxlog.core.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * "A new leader reads only from servers that acknowledged its overthrow" is the one rule whose
 * breakage the randomized simulator finds only rarely (at most one seed in a thousand): it takes an
 * overthrow overtaken by the read that follows it, while an old leader's store is still in flight
 * to the same server. This script plays exactly that interleaving through the simulator's own
 * {@link Checker} and shows that the check fires with the rule broken and stays quiet with it
 * intact. The checker now names the broken rule itself, when the read leaves for a server that never
 * promised the epoch, rather than later, when the chosen command is replaced; so random seeds catch
 * it too (see {@link BrokenRulesTest}).
 */
class ReadFromAnyServerTest {

    private final Map<Integer, Replica> servers = new HashMap<>();
    private final List<Envelope> network = new ArrayList<>();
    private final Checker checker = new Checker(5);
    /** The script's clock: the time of the latest tick, which deliveries tell the receiver. */
    private long now;

    @Test
    void readingAServerThatMissedTheOverthrowIsCaughtWhenTheReadLeaves() {
        assertThatThrownBy(() -> play(BrokenRules.READ_FROM_ANY_SERVER.factory()))
                .isInstanceOf(Violation.class)
                .hasMessageContaining("read target: server 2 sent read(")
                .hasMessageContaining("never reached it");
    }

    @Test
    void withTheRuleIntactTheSameInterleavingKeepsTheChosenCommand() {
        play(ReplicaFactory.DEFAULT);
        assertThat(servers.get(3).entry(1).command().clientId()).isEqualTo(9);
    }

    /** Servers: 1 the old leader, 2 the new one, 3 misses the overthrow, 4 and 5 acknowledge it. */
    private void play(ReplicaFactory factory) {
        for (int id = 1; id <= 5; id++) {
            Replica replica = factory.create(ReplicaConfig.defaults(id, List.of(1, 2, 3, 4, 5)).withTimeouts(100, 200, 20),
                    RecoveredState.EMPTY, new SplittableRandom(id), 0);
            servers.put(id, replica);
            carryOut(replica, replica.start());
        }
        now = 250;
        carryOut(servers.get(1), servers.get(1).tick(now));
        deliver(e -> e.message() instanceof PreOverthrow); // granted by everyone: nobody heard a leader
        deliver(e -> e.message() instanceof PreOverthrowReply);
        for (int round = 0; round < 4; round++) {
            deliver(e -> e.message() instanceof Overthrow || e.message() instanceof OverthrowOk
                    || e.message() instanceof Read || e.message() instanceof ReadReply);
        }
        assertThat(servers.get(1).role()).isEqualTo(Role.LEADER);
        network.clear(); // heartbeats; not needed

        Command x = new Command(9, 1, new byte[] {1});
        carryOut(servers.get(1), servers.get(1).submit(new ClientRequest(1, x)));
        deliver(e -> e.message() instanceof Store && e.to() == 4); // 4 accepts X at the old epoch

        Replica newLeader = servers.get(2);
        now = 500;
        carryOut(newLeader, newLeader.tick(now)); // 1 leads, but 4 and 5 heard it last at 250: they grant
        deliver(e -> e.message() instanceof PreOverthrow && (e.to() == 4 || e.to() == 5));
        deliver(e -> e.message() instanceof PreOverthrowReply && e.to() == 2);
        deliver(e -> e.message() instanceof Overthrow && (e.to() == 4 || e.to() == 5)); // 3's is still on its way
        deliver(e -> e.message() instanceof OverthrowOk && e.to() == 2);
        assertThat(newLeader.role()).isEqualTo(Role.LEADER);

        deliver(e -> e.message() instanceof Read && (e.to() == 3 || e.to() == 5));
        deliver(e -> e.message() instanceof ReadReply && e.to() == 2 && (e.from() == 3 || e.from() == 5));
        deliver(e -> e.message() instanceof Store && e.from() == 1 && e.to() == 3); // X reaches 3: chosen on 1, 3, 4
        deliver(e -> e.message() instanceof Overthrow && e.to() == 3);
        deliver(e -> e.message() instanceof Read && e.to() == 4);
        deliver(e -> e.message() instanceof ReadReply && e.to() == 2);
        deliver(e -> e.message() instanceof Store && e.from() == 2); // the new leader's choice for slot 1
    }

    private void deliver(Predicate<Envelope> which) {
        List<Envelope> chosen = new ArrayList<>();
        for (Envelope envelope : network) {
            if (which.test(envelope)) {
                chosen.add(envelope);
            }
        }
        network.removeAll(chosen);
        for (Envelope envelope : chosen) {
            Replica to = servers.get(envelope.to());
            checker.delivered(envelope);
            carryOut(to, to.receive(envelope, now));
        }
    }

    /** Sends go to the network; writes become durable at once; the checker sees both, as in a simulation. */
    private void carryOut(Replica replica, Effects first) {
        Deque<Effects> pending = new ArrayDeque<>(List.of(first));
        while (!pending.isEmpty()) {
            Effects effects = pending.poll();
            checker.stepped(replica, effects);
            network.addAll(effects.send());
            for (PersistBatch batch : effects.persist()) {
                for (StoredEntry entry : batch.entries()) {
                    checker.durablyAccepted(replica.selfId(), entry.slot(), entry.epoch(), entry.command());
                }
                checker.persisted(replica.selfId(), batch.id());
                pending.add(replica.persisted(batch.id()));
            }
        }
    }
}
