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
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = ProcStat.cpuNanos(ProcessHandle.current().pid());
        long threadStart = threads.getCurrentThreadCpuTime();
        long sink = 0;
        // Spin until this thread has had 300 ms of CPU, however long a loaded machine takes to give it.
        while (threads.getCurrentThreadCpuTime() - threadStart < 300_000_000L) {
            sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
        }
        long after = ProcStat.cpuNanos(ProcessHandle.current().pid());
        // The process had at least this thread's 300 ms; /proc counts in 10 ms ticks, sampled.
        assertThat(after - before).as("spun %d", sink).isGreaterThanOrEqualTo(250_000_000L);
    }
}
