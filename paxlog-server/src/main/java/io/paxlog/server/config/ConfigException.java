package io.paxlog.server.config;

import java.util.List;

/**
 * A configuration that cannot start a server. Carries every problem found, not only the first, so an
 * operator fixes the file in one pass; the message lists them one per line.
 */
public final class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, as {@code "where: what"}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        StringBuilder text = new StringBuilder(source).append(": ")
                .append(problems.size() == 1 ? "1 problem" : problems.size() + " problems");
        for (String problem : problems) {
            text.append(System.lineSeparator()).append("  - ").append(problem);
        }
        return text.toString();
    }
}
