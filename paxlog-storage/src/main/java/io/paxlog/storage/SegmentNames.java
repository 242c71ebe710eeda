package io.paxlog.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** File names of segments: {@code segment-<index, 20 digits>.wal}, so that names sort like indexes. */
final class SegmentNames {

    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.wal");

    private SegmentNames() {}

    static String name(long index) {
        if (index < 1) {
            throw new AssertionError("segment indexes start at 1, was " + index);
        }
        return String.format("segment-%020d.wal", index);
    }

    /** The index in a segment file name, or -1 when {@code name} is not a segment's. */
    static long index(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        try {
            long index = Long.parseLong(m.group(1));
            return index >= 1 ? index : -1;
        } catch (NumberFormatException e) {
            return -1; // 20 digits above Long.MAX_VALUE: not one of ours
        }
    }
}
