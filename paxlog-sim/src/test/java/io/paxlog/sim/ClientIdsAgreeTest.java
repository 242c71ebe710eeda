package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.client.core.ClientIdRanges;
import io.paxlog.core.ClientIds;
import org.junit.jupiter.api.Test;

/** The client core repeats the servers' client-id ranges (it depends on nothing): they must agree. */
class ClientIdsAgreeTest {

    @Test
    void theClientsKeyedRangeIsTheServers() {
        assertThat(ClientIdRanges.KEYED_MIN).isEqualTo(ClientIds.KEYED_MIN);
        assertThat(ClientIdRanges.KEYED_END).isEqualTo(ClientIds.INTERNAL_MIN);
        for (long hash : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x5555_5555_5555_5555L}) {
            long id = ClientIdRanges.keyed(hash);
            assertThat(ClientIds.isKeyed(id)).as("hash %x", hash).isTrue();
            assertThat(ClientIds.isSession(id) || ClientIds.isDuty(id) || ClientIds.isSessionLayer(id)).isFalse();
        }
        assertThat(ClientIds.isSession(ClientIdRanges.KEYED_MIN - 1)).isTrue();
    }
}
