package io.paxlog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void userAndSystemTicksAreFields14And15() {
        String line = "4242 (java) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 129 0 0 20 0 42 0 1234 0 0";
        assertThat(ProcStat.cpuTicks(line)).isEqualTo(731 + 129);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String line = "77 (my (odd) prog 1) R 1 77 77 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 99 0 0";
        assertThat(ProcStat.cpuTicks(line)).isEqualTo(12);
    }

    @Test
    void aTruncatedLineIsRefused() {
        assertThatThrownBy(() -> ProcStat.cpuTicks("1 (x) S 1 2 3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcStat.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisProcessesCpuTimeGrowsWhenItWorks() throws Exception {
        long before = ProcStat.cpuNanos(ProcessHandle.current().pid());
        long sink = 0;
        long until = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < until) {
            sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
        }
        long after = ProcStat.cpuNanos(ProcessHandle.current().pid());
        // 300 ms of spinning is at least 100 ms of CPU even on a loaded machine, and ticks are 10 ms.
        assertThat(after - before).as("spun %d", sink).isGreaterThanOrEqualTo(100_000_000L);
    }
}
