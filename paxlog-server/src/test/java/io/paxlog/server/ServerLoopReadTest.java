package io.paxlog.server;

import io.paxlog.core.runtime.CommandAnswer;
import io.paxlog.core.runtime.ReplyChannel;
import static io.paxlog.server.LocalCluster.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvMachine;
import io.paxlog.kv.KvResult;
import io.paxlog.lock.LockCommands;
import io.paxlog.lock.LockMachine;
import io.paxlog.lock.LockResult;
import io.paxlog.core.runtime.CommandAnswer.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads served by read-index through {@link ServerLoop#read}, and the lock expiry it drives, on 3 in-process servers. */
class ServerLoopReadTest {

    @TempDir
    Path dir;

    private LocalCluster cluster;

    @AfterEach
    void stopEverything() {
        if (cluster != null) {
            cluster.close();
            assertThat(cluster.failures()).as("loop or storage failures").isEmpty();
        }
    }

    private CompletableFuture<CommandAnswer> read(int serverId, byte[] query) {
        CompletableFuture<CommandAnswer> answer = new CompletableFuture<>();
        cluster.server(serverId).read(query, reply -> {
            if (!answer.complete(reply)) {
                throw new AssertionError("answered twice: " + answer.join() + " then " + reply);
            }
        });
        return answer;
    }

    private void awaitEveryServerApplied(long slot) {
        Await.until(LocalCluster.WAIT, "every server applied slot " + slot,
                () -> IntStream.rangeClosed(1, 3).allMatch(id -> cluster.server(id).status().appliedSlot() >= slot),
                cluster::describe);
    }

    private List<Long> slots() {
        return IntStream.rangeClosed(1, 3).boxed().flatMap(id -> {
            ServerStatus status = cluster.server(id).status();
            return List.of(status.appliedSlot(), status.firstUnfinalizedSlot()).stream();
        }).toList();
    }

    @Test
    void aKvGetAndListAtTheLeaderSeeThePutWithoutWritingToTheLog() {
        cluster = new LocalCluster(dir, 3, KvMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        long client = cluster.newClientId();
        CommandAnswer put = get(cluster.submit(leader, client, 1, KvCommands.put(bytes("k1"), bytes("v1"))));
        assertThat(put.status()).as(put.toString()).isEqualTo(Status.APPLIED);
        awaitEveryServerApplied(put.slot());
        List<Long> before = slots();

        CommandAnswer got = get(read(leader, KvCommands.get(bytes("k1"))));
        CommandAnswer listed = get(read(leader, KvCommands.list(bytes("k"), new byte[0], 10)));

        assertThat(got.status()).as(got.toString()).isEqualTo(Status.APPLIED);
        assertThat(KvCommands.decodeResult(got.result())).isEqualTo(new KvResult.Found(bytes("v1"), put.slot()));
        // At the applied slot: the put's, or a later one if the leader's clock command (log time for
        // sessions, one a second) was applied in between.
        assertThat(got.slot()).as("read at the applied slot").isBetween(put.slot(), put.slot() + 1);
        KvResult.Page page = (KvResult.Page) KvCommands.decodeResult(listed.result());
        assertThat(page.entries()).singleElement().satisfies(entry -> {
            assertThat(entry.key()).isEqualTo(bytes("k1"));
            assertThat(entry.version()).isEqualTo(put.slot());
        });
        // Nothing was logged for the reads; only a clock command of the leader's may have been.
        List<Long> after = slots();
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i) - before.get(i)).as("applied and first unfinalized slots of every server: "
                    + "nothing logged but a clock command (%s -> %s)", before, after).isBetween(0L, 1L);
        }
    }

    @Test
    void aWriteGivenAsAQueryIsRejectedAndNotApplied() {
        cluster = new LocalCluster(dir, 3, KvMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        CommandAnswer put = get(cluster.submit(leader, cluster.newClientId(), 1, KvCommands.put(bytes("a"), bytes("1"))));
        awaitEveryServerApplied(put.slot());

        CommandAnswer refused = get(read(leader, KvCommands.put(bytes("a"), bytes("2"))));

        assertThat(refused.status()).isEqualTo(Status.REJECTED);
        assertThat(refused.message()).contains("must be submitted as a command");
        assertThat(KvCommands.decodeResult(get(read(leader, KvCommands.get(bytes("a")))).result()))
                .isEqualTo(new KvResult.Found(bytes("1"), put.slot()));
    }

    @Test
    void aFollowerRedirectsAReadToTheLeader() {
        cluster = new LocalCluster(dir, 3, KvMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        int follower = leader % 3 + 1;

        CommandAnswer answer = get(read(follower, KvCommands.get(bytes("x"))));

        assertThat(answer.status()).isEqualTo(Status.NOT_LEADER);
        assertThat(answer.leaderHint()).isEqualTo(leader);
    }

    @Test
    void aDeposedLeaderNeverAnswersAReadWithOldData() {
        cluster = new LocalCluster(dir, 3, KvMachine::new, "");
        cluster.startAll();
        int old = cluster.awaitLeader().serverId();
        long client = cluster.newClientId();
        CommandAnswer first = get(cluster.submit(old, client, 1, KvCommands.put(bytes("k"), bytes("old"))));
        awaitEveryServerApplied(first.slot());

        cluster.cut(old);
        CompletableFuture<CommandAnswer> heldByOld = read(old, KvCommands.get(bytes("k")));
        ServerLoop next = cluster.awaitLeader();
        CommandAnswer second = get(cluster.submit(next.serverId(), client, 2, KvCommands.put(bytes("k"), bytes("new"))));
        assertThat(second.status()).as(second.toString()).isEqualTo(Status.APPLIED);
        CompletableFuture<CommandAnswer> afterNewWrite = read(old, KvCommands.get(bytes("k")));

        for (CommandAnswer answer : List.of(get(heldByOld), get(afterNewWrite))) {
            assertThat(answer.status()).as("the cut-off old leader's answer " + answer)
                    .isIn(Status.NOT_LEADER, Status.NO_QUORUM);
        }
        assertThat(KvCommands.decodeResult(get(read(next.serverId(), KvCommands.get(bytes("k")))).result()))
                .isEqualTo(new KvResult.Found(bytes("new"), second.slot()));
    }

    @Test
    void aLockShowAtTheLeaderCarriesTheRemainingTtl() {
        cluster = new LocalCluster(dir, 3, LockMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        CommandAnswer granted = get(cluster.submit(leader, cluster.newClientId(), 1,
                LockCommands.acquire("db", "alice", 60_000)));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(Status.APPLIED);

        LockResult shown = LockCommands.decodeResult(get(read(leader, LockCommands.show("db"))).result());

        assertThat(shown).isInstanceOf(LockResult.Held.class);
        LockResult.Held held = (LockResult.Held) shown;
        assertThat(held.lease().holder()).isEqualTo("alice");
        assertThat(held.lease().token()).isEqualTo(granted.slot());
        assertThat(held.remainingMs()).isBetween(50_000L, 60_000L);
        assertThat(LockCommands.decodeResult(get(read(leader, LockCommands.show("other"))).result()))
                .isEqualTo(new LockResult.Free());
    }

    @Test
    void anUnrenewedLockExpiresThroughTheLogAndTheNextGrantHasAGreaterToken() {
        cluster = new LocalCluster(dir, 3, LockMachine::new, "");
        cluster.startAll();
        int leader = cluster.awaitLeader().serverId();
        long alice = cluster.newClientId();
        long bob = cluster.newClientId();
        long ttlMs = 1500;
        CommandAnswer granted = get(cluster.submit(leader, alice, 1, LockCommands.acquire("db", "alice", ttlMs)));
        long token = ((LockResult.Granted) LockCommands.decodeResult(granted.result())).token();

        // Well within the ttl, bob is told alice holds it.
        LockResult refused = LockCommands.decodeResult(get(cluster.submit(leader, bob, 1,
                LockCommands.acquire("db", "bob", 1000))).result());
        assertThat(refused).isInstanceOf(LockResult.Held.class);

        long appliedAtGrant = cluster.server(leader).status().appliedSlot();
        Await.until(LocalCluster.WAIT, "the lock is free at the leader", () -> LockCommands.decodeResult(
                get(read(leader, LockCommands.show("db"))).result()) instanceof LockResult.Free, cluster::describe);
        // The expire is a command: every server applied a slot past the grant and the refusal.
        awaitEveryServerApplied(appliedAtGrant + 1);

        CommandAnswer next = get(cluster.submit(leader, bob, 2, LockCommands.acquire("db", "bob", 1000)));
        LockResult nextGrant = LockCommands.decodeResult(next.result());
        assertThat(nextGrant).isInstanceOf(LockResult.Granted.class);
        assertThat(((LockResult.Granted) nextGrant).token()).isGreaterThan(token);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
