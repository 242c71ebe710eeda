package io.paxlog.bench;

import java.util.Locale;

/** Payload sizes as the command line takes them ({@code 100}, {@code 100B}, {@code 1KiB}, {@code 16k}). */
public final class Sizes {

    private Sizes() {}

    public static int parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int multiplier = 1;
        for (String suffix : new String[] {"kib", "kb", "k"}) {
            if (t.endsWith(suffix)) {
                multiplier = 1024;
                t = t.substring(0, t.length() - suffix.length());
                break;
            }
        }
        if (multiplier == 1 && t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Integer.parseInt(t.trim()), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: " + text + " (e.g. 100, 1KiB, 16KiB)");
        }
    }

    public static String format(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }
}
