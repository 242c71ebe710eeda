package io.paxlog.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the Prometheus text exposition ({@code GET /metrics}) into {@code name{labels} -> value}, comments
 * and unparsable lines skipped. Only what the benchmark subtracts is needed: counters, and the
 * {@code _sum} and {@code _count} of histograms.
 */
public final class PrometheusText {

    private PrometheusText() {}

    public static Map<String, Double> parse(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // The value follows the name (and its labels, which may hold spaces inside quotes).
            int labelsEnd = line.lastIndexOf('}');
            int split = line.indexOf(' ', labelsEnd < 0 ? 0 : labelsEnd);
            if (split < 0) {
                continue;
            }
            String name = line.substring(0, split);
            String rest = line.substring(split + 1).trim();
            int space = rest.indexOf(' '); // an optional timestamp follows the value
            String number = space < 0 ? rest : rest.substring(0, space);
            try {
                values.put(name, Double.parseDouble(number));
            } catch (NumberFormatException e) {
                // not a sample line (e.g. "+Inf" is parsed; anything else is not ours)
            }
        }
        return values;
    }
}
