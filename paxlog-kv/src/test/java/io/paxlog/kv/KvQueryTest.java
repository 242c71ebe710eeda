package io.paxlog.kv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link KvMachine#query}: reads answered from the state, the same bytes the log would give, nothing changed. */
class KvQueryTest {

    private final KvMachine kv = new KvMachine();

    private static byte[] b(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void aGetOrListQueryAnswersWhatTheSameCommandWouldAndChangesNothing() {
        kv.apply(1, KvCommands.put(b("a/1"), b("x")));
        kv.apply(2, KvCommands.put(b("a/2"), b("y")));
        kv.apply(3, KvCommands.put(b("b"), b("z")));
        byte[] snapshot = kv.snapshot();

        for (byte[] query : new byte[][] {KvCommands.get(b("a/2")), KvCommands.get(b("none")), KvCommands.get(new byte[0]),
                KvCommands.list(b("a/"), new byte[0], 10), KvCommands.list(b("a/"), b("a/1"), 1)}) {
            byte[] answered = kv.query(query);
            assertThat(kv.snapshot()).as("a query changes nothing").isEqualTo(snapshot);
            KvMachine replay = new KvMachine();
            replay.restore(snapshot);
            assertThat(answered).as("same result as through the log").isEqualTo(replay.apply(4, query));
        }
        assertThat(KvCommands.decodeResult(kv.query(KvCommands.get(b("a/2"))))).isEqualTo(new KvResult.Found(b("y"), 2));
    }

    @Test
    void aWriteOrMalformedQueryIsRefused() {
        assertThatThrownBy(() -> kv.query(KvCommands.put(b("k"), b("v")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("get or a list");
        assertThatThrownBy(() -> kv.query(KvCommands.delete(b("k")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.query(new byte[] {9})).isInstanceOf(IllegalArgumentException.class);
        assertThat(kv.size()).isZero();
    }
}
