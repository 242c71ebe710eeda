package io.paxlog.kv;

import io.paxlog.api.codec.Binary;
import io.paxlog.kv.KvCommand.Condition;
import io.paxlog.kv.KvResult.Code;
import io.paxlog.kv.KvResult.KvEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of key-value commands (the payload of a log entry) and of their results (the bytes a
 * client gets back). The machine decodes commands and encodes results; a client, the HTTP layer or the
 * CLI does the opposite.
 *
 * <p>Both start with a format byte, so that a later format can be told apart; this is format 1.
 * Big-endian; {@code bytes} is {@code length:int} followed by the bytes.
 *
 * <pre>
 * command:  format:byte=1 op:byte ...
 *   get          0x01 key:bytes
 *   put          0x02 key:bytes value:bytes condition
 *   delete       0x03 key:bytes condition                  (condition not "absent")
 *   list         0x04 prefix:bytes after:bytes limit:int   (after empty = from the start)
 *   condition:   0x00 always | 0x01 expectedVersion:long (>= 1) | 0x02 absent
 *
 * result:   format:byte=1 kind:byte ...
 *   found        0x01 version:long value:bytes
 *   not found    0x02
 *   written      0x03 version:long
 *   deleted      0x04 previousVersion:long
 *   cond. failed 0x05 currentVersion:long                  (0 = the key is absent)
 *   page         0x06 more:byte(0|1) count:int (key:bytes value:bytes version:long)*
 *   rejected     0x07 code:byte message:bytes              (message in UTF-8, for people)
 * </pre>
 *
 * Decoding checks everything, including that nothing follows the last field, and reports any problem as
 * an {@link IllegalArgumentException} saying what and where. The format is self-delimiting, so a
 * truncated command never decodes as another command.
 */
public final class KvCommands {

    public static final int FORMAT = 1;

    static final int GET = 0x01;
    static final int PUT = 0x02;
    static final int DELETE = 0x03;
    static final int LIST = 0x04;

    static final int ALWAYS = 0x00;
    static final int VERSION_IS = 0x01;
    static final int ABSENT = 0x02;

    static final int FOUND = 0x01;
    static final int NOT_FOUND = 0x02;
    static final int WRITTEN = 0x03;
    static final int DELETED = 0x04;
    static final int CONDITION_FAILED = 0x05;
    static final int PAGE = 0x06;
    static final int REJECTED = 0x07;

    /** Fixed bytes per page entry besides key and value: two lengths and the version. */
    private static final int PAGE_ENTRY_OVERHEAD_BYTES = 16;

    private KvCommands() {}

    // ---- Commands ----

    public static byte[] get(byte[] key) {
        return encode(new KvCommand.Get(key));
    }

    public static byte[] put(byte[] key, byte[] value) {
        return encode(new KvCommand.Put(key, value, Condition.always()));
    }

    /** Writes only if the key's version is {@code expectedVersion}. */
    public static byte[] compareAndSet(byte[] key, long expectedVersion, byte[] value) {
        return encode(new KvCommand.Put(key, value, Condition.versionIs(expectedVersion)));
    }

    /** Writes only if the key does not exist. */
    public static byte[] putIfAbsent(byte[] key, byte[] value) {
        return encode(new KvCommand.Put(key, value, Condition.absent()));
    }

    public static byte[] delete(byte[] key) {
        return encode(new KvCommand.Delete(key, Condition.always()));
    }

    /** Deletes only if the key's version is {@code expectedVersion}. */
    public static byte[] deleteIfVersion(byte[] key, long expectedVersion) {
        return encode(new KvCommand.Delete(key, Condition.versionIs(expectedVersion)));
    }

    public static byte[] list(byte[] prefix, byte[] after, int limit) {
        return encode(new KvCommand.ListPrefix(prefix, after, limit));
    }

    public static byte[] encode(KvCommand command) {
        Binary.Writer out = new Binary.Writer(64).putByte(FORMAT);
        if (command instanceof KvCommand.Get get) {
            out.putByte(GET).putBytes(get.key());
        } else if (command instanceof KvCommand.Put put) {
            putCondition(out.putByte(PUT).putBytes(put.key()).putBytes(put.value()), put.condition());
        } else if (command instanceof KvCommand.Delete delete) {
            putCondition(out.putByte(DELETE).putBytes(delete.key()), delete.condition());
        } else if (command instanceof KvCommand.ListPrefix list) {
            out.putByte(LIST).putBytes(list.prefix()).putBytes(list.after()).putInt(list.limit());
        } else {
            throw new AssertionError("unknown kv command " + command);
        }
        return out.finish();
    }

    /** @throws IllegalArgumentException if {@code payload} is not a command of this format */
    public static KvCommand decodeCommand(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("kv command is empty");
        }
        Binary.Reader in = new Binary.Reader(payload, "kv command");
        int format = in.getByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("kv command format " + format + " is not " + FORMAT);
        }
        int op = in.getByte();
        KvCommand command = switch (op) {
            case GET -> new KvCommand.Get(in.getBytes());
            case PUT -> new KvCommand.Put(in.getBytes(), in.getBytes(), condition(in));
            case DELETE -> new KvCommand.Delete(in.getBytes(), condition(in));
            case LIST -> new KvCommand.ListPrefix(in.getBytes(), in.getBytes(), in.getInt());
            default -> throw new IllegalArgumentException("kv command has unknown operation " + op);
        };
        in.expectEnd();
        return command;
    }

    private static void putCondition(Binary.Writer out, Condition condition) {
        switch (condition.kind()) {
            case ALWAYS -> out.putByte(ALWAYS);
            case VERSION_IS -> out.putByte(VERSION_IS).putLong(condition.expectedVersion());
            case ABSENT -> out.putByte(ABSENT);
        }
    }

    private static Condition condition(Binary.Reader in) {
        int kind = in.getByte();
        return switch (kind) {
            case ALWAYS -> Condition.always();
            case VERSION_IS -> Condition.versionIs(in.getLong());
            case ABSENT -> Condition.absent();
            default -> throw new IllegalArgumentException("kv command has unknown condition " + kind);
        };
    }

    // ---- Results ----

    public static byte[] encodeResult(KvResult result) {
        Binary.Writer out = new Binary.Writer(32).putByte(FORMAT);
        if (result instanceof KvResult.Found found) {
            out.putByte(FOUND).putLong(found.version()).putBytes(found.value());
        } else if (result instanceof KvResult.NotFound) {
            out.putByte(NOT_FOUND);
        } else if (result instanceof KvResult.Written written) {
            out.putByte(WRITTEN).putLong(written.version());
        } else if (result instanceof KvResult.Deleted deleted) {
            out.putByte(DELETED).putLong(deleted.previousVersion());
        } else if (result instanceof KvResult.ConditionFailed failed) {
            out.putByte(CONDITION_FAILED).putLong(failed.currentVersion());
        } else if (result instanceof KvResult.Page page) {
            out.putByte(PAGE).putByte(page.more() ? 1 : 0).putInt(page.entries().size());
            for (KvEntry entry : page.entries()) {
                out.putBytes(entry.key()).putBytes(entry.value()).putLong(entry.version());
            }
        } else if (result instanceof KvResult.Rejected rejected) {
            out.putByte(REJECTED).putByte(rejected.code().wire)
                    .putBytes(rejected.message().getBytes(StandardCharsets.UTF_8));
        } else {
            throw new AssertionError("unknown kv result " + result);
        }
        return out.finish();
    }

    /** @throws IllegalArgumentException if {@code bytes} are not a result of this format */
    public static KvResult decodeResult(byte[] bytes) {
        Binary.Reader in = new Binary.Reader(bytes, "kv result");
        int format = in.getByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("kv result format " + format + " is not " + FORMAT);
        }
        int kind = in.getByte();
        KvResult result = switch (kind) {
            case FOUND -> {
                long version = version(in.getLong());
                yield new KvResult.Found(in.getBytes(), version);
            }
            case NOT_FOUND -> new KvResult.NotFound();
            case WRITTEN -> new KvResult.Written(version(in.getLong()));
            case DELETED -> new KvResult.Deleted(version(in.getLong()));
            case CONDITION_FAILED -> {
                long current = in.getLong();
                if (current < 0) {
                    throw new IllegalArgumentException("kv result has negative version " + current);
                }
                yield new KvResult.ConditionFailed(current);
            }
            case PAGE -> page(in, bytes.length);
            case REJECTED -> new KvResult.Rejected(Code.fromWire(in.getByte()),
                    new String(in.getBytes(), StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("kv result has unknown kind " + kind);
        };
        in.expectEnd();
        return result;
    }

    private static KvResult.Page page(Binary.Reader in, int totalBytes) {
        int more = in.getByte();
        if (more > 1) {
            throw new IllegalArgumentException("kv page has a 'more' flag of " + more);
        }
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException("kv page claims " + count + " entries");
        }
        List<KvEntry> entries = new ArrayList<>(Math.min(count, totalBytes / PAGE_ENTRY_OVERHEAD_BYTES));
        for (int i = 0; i < count; i++) {
            entries.add(new KvEntry(in.getBytes(), in.getBytes(), version(in.getLong())));
        }
        return new KvResult.Page(entries, more == 1);
    }

    private static long version(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("kv result has version " + version + "; versions are slots, from 1");
        }
        return version;
    }
}
