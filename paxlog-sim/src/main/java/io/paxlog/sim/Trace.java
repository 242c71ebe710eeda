package io.paxlog.sim;

import java.util.ArrayDeque;
import java.util.List;
import java.util.ArrayList;

/**
 * The simulation's trace: a running hash of every event (to prove a replay is identical) and the
 * last few events kept for a failure report. Lines are formatted only when reported, since most
 * seeds pass.
 */
final class Trace {

    record Line(long time, int server, String what, Object detail) {
        @Override
        public String toString() {
            return String.format("%9d ms  s%d  %-10s %s", time, server, what, detail == null ? "" : detail);
        }
    }

    private final int keep;
    private final ArrayDeque<Line> last;
    private long hash = 0xcbf29ce484222325L;
    private long events;

    Trace(int keep) {
        this.keep = keep;
        this.last = new ArrayDeque<>(keep + 1);
    }

    void add(long time, int server, String what, Object detail, long detailHash) {
        events++;
        mix(time);
        mix(server);
        mix(what.hashCode());
        mix(detailHash);
        if (keep > 0 && !"tick".equals(what)) {
            if (last.size() == keep) {
                last.poll();
            }
            last.add(new Line(time, server, what, detail));
        }
    }

    private void mix(long value) {
        hash ^= value;
        hash *= 0x100000001b3L;
        hash ^= hash >>> 29;
    }

    long hash() {
        return hash;
    }

    long events() {
        return events;
    }

    List<String> lastLines() {
        List<String> lines = new ArrayList<>();
        for (Line line : last) {
            lines.add(line.toString());
        }
        return lines;
    }
}
