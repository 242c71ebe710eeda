package io.paxlog.kv;

import io.paxlog.kv.KvCommand.Condition;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key-value store written as plainly as possible, to check {@link KvMachine} against: keys are hex
 * strings (whose order is the unsigned byte order of the keys), a list is a filter over every entry,
 * and results are described as text, refusals by their code only.
 */
final class KvModel {

    private static final HexFormat HEX = HexFormat.of();

    private record Entry(String value, long version) {}

    private final KvLimits limits;
    private final TreeMap<String, Entry> entries = new TreeMap<>();

    KvModel(KvLimits limits) {
        this.limits = limits;
    }

    /** The version of a key, 0 if absent. */
    long version(byte[] key) {
        Entry entry = entries.get(HEX.formatHex(key));
        return entry == null ? 0 : entry.version();
    }

    String apply(long slot, KvCommand command) {
        if (command instanceof KvCommand.Get get) {
            if (badKey(get.key()) != null) {
                return badKey(get.key());
            }
            Entry entry = entries.get(HEX.formatHex(get.key()));
            return entry == null ? "not found" : "found " + entry.value() + " v" + entry.version();
        }
        if (command instanceof KvCommand.Put put) {
            if (badKey(put.key()) != null) {
                return badKey(put.key());
            }
            if (put.value().length > limits.valueBytesMax()) {
                return "rejected VALUE_TOO_LARGE";
            }
            String key = HEX.formatHex(put.key());
            long current = version(put.key());
            if (!holds(put.condition(), current)) {
                return "condition failed v" + current;
            }
            Map<String, Entry> after = new TreeMap<>(entries);
            after.put(key, new Entry(HEX.formatHex(put.value()), slot));
            if (bytes(after) > limits.storeBytesMax()) {
                return "rejected STORE_FULL";
            }
            entries.put(key, new Entry(HEX.formatHex(put.value()), slot));
            return "written v" + slot;
        }
        if (command instanceof KvCommand.Delete delete) {
            if (badKey(delete.key()) != null) {
                return badKey(delete.key());
            }
            long current = version(delete.key());
            if (current == 0 && delete.condition().kind() == Condition.Kind.ALWAYS) {
                return "not found";
            }
            if (!holds(delete.condition(), current)) {
                return "condition failed v" + current;
            }
            entries.remove(HEX.formatHex(delete.key()));
            return "deleted v" + current;
        }
        KvCommand.ListPrefix list = (KvCommand.ListPrefix) command;
        if (list.prefix().length > limits.keyBytesMax() || list.after().length > limits.keyBytesMax()) {
            return "rejected KEY_TOO_LARGE";
        }
        if (list.limit() < 1) {
            return "rejected INVALID_ARGUMENT";
        }
        String prefix = HEX.formatHex(list.prefix());
        String cursor = HEX.formatHex(list.after());
        List<String> matching = new ArrayList<>();
        entries.forEach((key, entry) -> {
            if (key.startsWith(prefix) && key.compareTo(cursor) > 0) {
                matching.add(key + "=" + entry.value() + " v" + entry.version());
            }
        });
        List<String> page = new ArrayList<>();
        long pageBytes = 0;
        for (String line : matching) {
            String key = line.substring(0, line.indexOf('='));
            long size = (key.length() + entries.get(key).value().length()) / 2;
            if (page.size() == Math.min(list.limit(), limits.listEntriesMax())
                    || (!page.isEmpty() && pageBytes + size > limits.listBytesMax())) {
                break;
            }
            page.add(line);
            pageBytes += size;
        }
        return "page " + page + (page.size() < matching.size() ? " more" : "");
    }

    /** The same description of what the machine answered. */
    static String describe(KvResult result) {
        if (result instanceof KvResult.Found found) {
            return "found " + HEX.formatHex(found.value()) + " v" + found.version();
        } else if (result instanceof KvResult.NotFound) {
            return "not found";
        } else if (result instanceof KvResult.Written written) {
            return "written v" + written.version();
        } else if (result instanceof KvResult.Deleted deleted) {
            return "deleted v" + deleted.previousVersion();
        } else if (result instanceof KvResult.ConditionFailed failed) {
            return "condition failed v" + failed.currentVersion();
        } else if (result instanceof KvResult.Page page) {
            List<String> lines = page.entries().stream()
                    .map(e -> HEX.formatHex(e.key()) + "=" + HEX.formatHex(e.value()) + " v" + e.version())
                    .toList();
            return "page " + lines + (page.more() ? " more" : "");
        }
        return "rejected " + ((KvResult.Rejected) result).code();
    }

    /** Every entry, as {@link #describe} shows a page of them. */
    List<String> contents() {
        List<String> lines = new ArrayList<>();
        entries.forEach((key, entry) -> lines.add(key + "=" + entry.value() + " v" + entry.version()));
        return lines;
    }

    long storeBytes() {
        return bytes(entries);
    }

    private String badKey(byte[] key) {
        if (key.length == 0) {
            return "rejected INVALID_ARGUMENT";
        }
        return key.length > limits.keyBytesMax() ? "rejected KEY_TOO_LARGE" : null;
    }

    private static boolean holds(Condition condition, long current) {
        return switch (condition.kind()) {
            case ALWAYS -> true;
            case VERSION_IS -> current != 0 && current == condition.expectedVersion();
            case ABSENT -> current == 0;
        };
    }

    private static long bytes(Map<String, Entry> entries) {
        long total = 0;
        for (Map.Entry<String, Entry> entry : entries.entrySet()) {
            total += 16 + (entry.getKey().length() + entry.getValue().value().length()) / 2;
        }
        return total;
    }
}
