package io.paxlog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsCountersHistogramsAndLabelsSkippingComments() {
        String text = """
                # HELP paxlog_wal_fsyncs_total fsyncs of the write-ahead log, of any kind
                # TYPE paxlog_wal_fsyncs_total counter
                paxlog_wal_fsyncs_total 1234.0
                paxlog_persist_batch_entries_count 10.0
                paxlog_persist_batch_entries_sum 37.0
                paxlog_persist_batch_entries_bucket{le="+Inf"} 10.0
                paxlog_peer_lag_slots{peer="2"} NaN
                paxlog_queue_depth{queue="client hello"} 3.0 1700000000000
                not a sample
                """;
        Map<String, Double> values = PrometheusText.parse(text);
        assertThat(values).containsEntry("paxlog_wal_fsyncs_total", 1234.0)
                .containsEntry("paxlog_persist_batch_entries_count", 10.0)
                .containsEntry("paxlog_persist_batch_entries_sum", 37.0)
                .containsEntry("paxlog_persist_batch_entries_bucket{le=\"+Inf\"}", 10.0)
                .containsEntry("paxlog_queue_depth{queue=\"client hello\"}", 3.0)
                .doesNotContainKey("not");
        assertThat(values.get("paxlog_peer_lag_slots{peer=\"2\"}")).isNaN();
        assertThat(values).hasSize(6);
    }
}
