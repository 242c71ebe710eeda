package io.paxlog.chaos.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An HTML page of one or more keys' histories, so a person can see a violation: per key, one row per
 * client, a bar from each operation's invocation to its completion (an unknown one runs dashed to the end
 * of the history), colored by outcome. Operations of the failing window are outlined, its culprit in red;
 * hovering a bar shows the operation. Plain inline SVG: no script, no dependency.
 */
public final class Timeline {

    private static final int ROW = 28;
    private static final int WIDTH = 1400;
    private static final int LABEL = 70;

    private Timeline() {}

    /** Writes the page of {@code results} (violations drawn in full; other results listed) to {@code file}. */
    public static void write(Path file, String title, List<CheckResult> results, Model<?, ?, ?> model) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:16px}"
                        + "rect.ok{fill:#6c6}rect.failed{fill:#bbb}rect.unknown{fill:#fb4;stroke-dasharray:4 2}"
                        + "rect{stroke:#333;stroke-width:0.5}rect.window{stroke:#06c;stroke-width:2}"
                        + "rect.culprit{stroke:#d00;stroke-width:3}text{font-size:11px}</style></head><body>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n")
                .append("<p>green: ok; grey: failed (not applied); amber, dashed: outcome unknown. Blue outline: the "
                        + "shortest failing prefix; red: the operation that made it fail.</p>\n");
        for (CheckResult result : results) {
            if (result instanceof CheckResult.Violation violation) {
                html.append("<h2>key ").append(escape(violation.key())).append(": not linearizable</h2>\n<p>")
                        .append(violation.window().size()).append(" of ").append(violation.history().size())
                        .append(" operations fail already; the last of them: ")
                        .append(escape(violation.culprit().toString())).append("</p>\n");
                svg(html, violation, model);
            } else if (result instanceof CheckResult.Inconclusive inconclusive) {
                html.append("<h2>key ").append(escape(inconclusive.key())).append(": not decided (")
                        .append(escape(inconclusive.why())).append("), a failure</h2>\n");
            } else {
                html.append("<p>key ").append(escape(result.key())).append(": linearizable</p>\n");
            }
        }
        html.append("</body></html>\n");
        Files.writeString(file, html);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void svg(StringBuilder html, CheckResult.Violation violation, Model model) {
        List<Operation<?, ?>> ops = violation.history();
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        TreeSet<Integer> clients = new TreeSet<>();
        for (Operation<?, ?> op : ops) {
            start = Math.min(start, op.invokeNanos());
            end = Math.max(end, op.completeNanos());
            clients.add(op.client());
        }
        double span = Math.max(1, end - start);
        List<Integer> rows = List.copyOf(clients);
        Set<Integer> window = new HashSet<>();
        violation.window().forEach(op -> window.add(op.id()));
        int height = rows.size() * ROW + 30;
        html.append("<svg width=\"").append(WIDTH + LABEL).append("\" height=\"").append(height).append("\">\n");
        for (int row = 0; row < rows.size(); row++) {
            html.append("<text x=\"0\" y=\"").append(row * ROW + 18).append("\">client ").append(rows.get(row))
                    .append("</text>\n");
        }
        for (Operation<?, ?> op : ops) {
            double x = LABEL + (op.invokeNanos() - start) / span * WIDTH;
            long until = op.outcome() == Outcome.UNKNOWN ? end : op.completeNanos();
            double w = Math.max(2, (until - op.invokeNanos()) / span * WIDTH);
            int y = rows.indexOf(op.client()) * ROW + 4;
            String css = op.outcome().name().toLowerCase();
            if (op.id() == violation.culprit().id()) {
                css += " culprit";
            } else if (window.contains(op.id())) {
                css += " window";
            }
            String text = model.describe(op.input(), op.output());
            html.append(String.format("<g><rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>", css, x,
                    y, w, ROW - 8));
            html.append("<title>").append(escape(op.toString())).append("</title>");
            if (w > 40) {
                html.append(String.format("<text x=\"%.1f\" y=\"%d\">", x + 2, y + 14)).append(escape(text))
                        .append("</text>");
            }
            html.append("</g>\n");
        }
        html.append("<text x=\"").append(LABEL).append("\" y=\"").append(height - 6).append("\">")
                .append(String.format("%.1f ms from first invocation to last completion", span / 1e6))
                .append("</text>\n</svg>\n");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
