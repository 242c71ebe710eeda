package io.paxlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time of a process from Linux's {@code /proc/<pid>/stat}: user plus system time of all its threads
 * ({@code utime} and {@code stime}, fields 14 and 15, in clock ticks). The second field, the command name,
 * is in parentheses and may itself hold spaces and parentheses, so fields are counted from the last
 * {@code ')'}.
 */
public final class ProcStat {

    /**
     * Clock ticks per second ({@code getconf CLK_TCK}). 100 on every Linux this runs on (x86-64 and arm64
     * kernels export USER_HZ = 100 whatever their internal HZ), so fixed rather than asked of a program.
     */
    public static final long TICKS_PER_SECOND = 100;

    private ProcStat() {}

    /** User plus system ticks from one {@code stat} line. */
    public static long cpuTicks(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        // After ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
        String[] fields = statLine.substring(close + 1).trim().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("a /proc/<pid>/stat line with too few fields: " + statLine);
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU time, in nanoseconds, of process {@code pid} so far; fails if the process is gone. */
    public static long cpuNanos(long pid) throws IOException {
        String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return cpuTicks(line) * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** The sum of {@link #cpuNanos} over {@code processes}. */
    public static long cpuNanos(List<ProcessHandle> processes) throws IOException {
        long sum = 0;
        for (ProcessHandle process : processes) {
            sum += cpuNanos(process.pid());
        }
        return sum;
    }
}
