package io.paxlog.bench;

/** One run's result, or why it failed ({@code figures} null, {@code error} set). One JSON object each. */
public record RunResult(RunKey key, Figures figures, String error) {

    public boolean ok() {
        return figures != null && error == null;
    }
}
