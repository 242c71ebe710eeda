package io.paxlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput against p99 latency, one line per system through its in-flight counts (each point labelled
 * with its count), one plot per workload and payload: lower right is better. p99 on a log scale, since
 * the systems' tails differ by orders of magnitude under load. Plain SVG, no library.
 */
public final class SvgPlot {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private SvgPlot() {}

    /** Writes {@code bench-<workload>-<payload>.svg} for each workload and payload measured; returns the files. */
    public static List<Path> write(Path dir, Report report) throws IOException {
        Map<String, List<Report.Row>> plots = new LinkedHashMap<>();
        for (Report.Row row : report.rows()) {
            if (row.median() != null) {
                String name = "bench-" + row.key().workload().name().toLowerCase(Locale.ROOT) + "-" + row.key().payloadBytes() + "B.svg";
                plots.computeIfAbsent(name, k -> new ArrayList<>()).add(row);
            }
        }
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, List<Report.Row>> plot : plots.entrySet()) {
            Report.Row first = plot.getValue().get(0);
            String title = first.key().workload() + ", " + Sizes.format(first.key().payloadBytes()) + ", "
                    + first.key().servers() + " servers: throughput against p99";
            Path file = dir.resolve(plot.getKey());
            Files.writeString(file, svg(title, plot.getValue()));
            files.add(file);
        }
        return files;
    }

    static String svg(String title, List<Report.Row> rows) {
        double maxOps = rows.stream().mapToDouble(r -> r.median().opsPerSecond()).max().orElse(1) * 1.1;
        double minP99 = rows.stream().mapToDouble(r -> r.median().latency().p99Ms()).filter(v -> v > 0).min().orElse(0.1);
        double maxP99 = rows.stream().mapToDouble(r -> r.median().latency().p99Ms()).max().orElse(1);
        double logMin = Math.floor(Math.log10(Math.max(minP99, 1e-3)));
        double logMax = Math.max(logMin + 1, Math.ceil(Math.log10(Math.max(maxP99, 1e-3))));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT, TOP, plotW, plotH));
        for (int i = 0; i <= 5; i++) {
            double ops = maxOps * i / 5;
            double x = LEFT + plotW * i / 5;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                    HEIGHT - BOTTOM + 16, ops >= 1000 ? String.format(Locale.ROOT, "%.1fk", ops / 1000) : String.format(Locale.ROOT, "%.0f", ops)));
        }
        for (double e = logMin; e <= logMax; e++) {
            double y = TOP + plotH * (1 - (e - logMin) / (logMax - logMin));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n", LEFT,
                    LEFT + plotW, y, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT - 6, y + 4,
                    trim(Math.pow(10, e))));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">operations/s</text>%n",
                LEFT + plotW / 2, HEIGHT - 12));
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.0f\" transform=\"rotate(-90 16 %.0f)\" text-anchor=\"middle\">p99 latency (log)</text>%n",
                TOP + plotH / 2, TOP + plotH / 2));
        Map<String, List<Report.Row>> bySystem = new LinkedHashMap<>();
        rows.stream().sorted(Comparator.comparing(Report.Row::system).thenComparingInt(r -> r.key().inFlight()))
                .forEach(r -> bySystem.computeIfAbsent(r.system(), k -> new ArrayList<>()).add(r));
        int c = 0;
        for (Map.Entry<String, List<Report.Row>> system : bySystem.entrySet()) {
            String color = COLORS[c % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (Report.Row row : system.getValue()) {
                double x = LEFT + plotW * row.median().opsPerSecond() / maxOps;
                double p99 = Math.max(row.median().latency().p99Ms(), Math.pow(10, logMin));
                double y = TOP + plotH * (1 - (Math.log10(p99) - logMin) / (logMax - logMin));
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", x, y, color));
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%d</text>%n", x + 6, y - 6, color,
                        row.key().inFlight()));
            }
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), color));
            double ly = TOP + 16 + 20 * c;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    LEFT + plotW + 14, LEFT + plotW + 34, ly, ly, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\">%s</text>%n", LEFT + plotW + 40, ly + 4,
                    escape(system.getKey())));
            c++;
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#666\">labels: in flight</text>%n",
                LEFT + plotW + 14, TOP + 16 + 20 * c + 10.0));
        s.append("</svg>\n");
        return s.toString();
    }

    private static String trim(double value) {
        return value >= 1 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%s", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
