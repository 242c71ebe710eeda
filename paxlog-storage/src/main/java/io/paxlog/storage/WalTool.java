package io.paxlog.storage;

import io.paxlog.api.Command;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.RecoveredState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a server's data directory without changing it (the CLI wraps it as {@code paxlog wal}).
 *
 * <pre>
 * WalTool dump   DIR [--cluster ID --server N]   print every record, one per line
 * WalTool verify DIR [--cluster ID --server N]   check that the log can be recovered
 * </pre>
 *
 * Without {@code --cluster}/{@code --server} the first segment's identity is expected of all others.
 * Exit status: 0 recoverable (an unfinished last write, which a server would cut, included), 1 not
 * recoverable (the message says where and why), 2 usage error, 3 I/O error, 4 no log at all (no segment
 * and no snapshot: not a server's data directory, or one that never wrote).
 */
public final class WalTool {

    static final int OK = 0;
    static final int CORRUPTED = 1;
    static final int USAGE = 2;
    static final int IO_ERROR = 3;
    static final int NO_LOG = 4;

    private static final String USAGE_TEXT = "usage: WalTool dump|verify DIR [--cluster ID --server N]";

    private WalTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !(args[0].equals("dump") || args[0].equals("verify"))) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        SegmentIdentity expected;
        try {
            expected = parseIdentity(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        Path directory = Path.of(args[1]);
        if (!Files.isDirectory(directory)) {
            err.println("no such directory: " + directory);
            return USAGE;
        }
        boolean dump = args[0].equals("dump");
        try {
            LogRecovery.Result result = LogRecovery.run(new NioFileLayer(directory), expected, false,
                    dump ? new Printer(out) : LogRecovery.Listener.NONE);
            if (result.identity() == null && result.snapshots().snapshot() == null) {
                // "Recoverable" would be true of any directory, a mistyped one included: say what is there.
                err.println("no write-ahead log in " + directory + ": no segment and no snapshot (is it a server's"
                        + " data directory? a server started on it would start with an empty log)");
                return NO_LOG;
            }
            out.println(summary(result));
            return OK;
        } catch (WalCorruptedException e) {
            err.println("NOT RECOVERABLE: " + e.getMessage());
            return CORRUPTED;
        } catch (IOException e) {
            err.println("I/O error: " + e);
            return IO_ERROR;
        }
    }

    /**
     * True if {@code e} refused files that belong to another cluster or server (or were renamed or
     * copied): nothing is damaged, the directory is the wrong one. A server gives that its own exit status.
     */
    public static boolean isForeign(WalCorruptedException e) {
        return e.getMessage() != null && e.getMessage().endsWith(WalCorruptedException.Advice.FOREIGN.text);
    }

    private static SegmentIdentity parseIdentity(String[] args) {
        String cluster = null;
        Integer server = null;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--cluster" -> cluster = args[i + 1];
                case "--server" -> {
                    try {
                        server = Integer.parseInt(args[i + 1]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--server needs a number, was " + args[i + 1]);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if ((cluster == null) != (server == null)) {
            throw new IllegalArgumentException("give both --cluster and --server, or neither");
        }
        return cluster == null ? null : new SegmentIdentity(cluster, server);
    }

    private static String summary(LogRecovery.Result result) {
        RecoveredState state = result.state();
        long finalized = state.entries().stream().filter(SlotState::finalized).count();
        StringBuilder s = new StringBuilder("recoverable: ").append(result.report().summary());
        if (result.identity() != null) {
            s.append("; ").append(result.identity());
        }
        if (result.snapshots().snapshot() != null) {
            s.append("; starts from the snapshot at slot ").append(result.snapshots().slot()).append(" (")
                    .append(result.snapshots().file()).append(")");
        }
        for (SnapshotFiles.Damage damaged : result.snapshots().damaged()) {
            s.append("; damaged snapshot passed over: ").append(damaged);
        }
        if (!result.snapshots().temps().isEmpty()) {
            s.append("; ").append(result.snapshots().temps().size()).append(" unfinished snapshot file(s)");
        }
        s.append("; promised ").append(state.promised()).append("; ").append(state.entries().size())
                .append(" entries (").append(finalized).append(" finalized)");
        if (!state.entries().isEmpty()) {
            s.append(", slots ").append(state.entries().get(0).slot()).append("..")
                    .append(state.entries().get(state.entries().size() - 1).slot());
        }
        return s.toString();
    }

    /** Prints the log as it is read. */
    private static final class Printer implements LogRecovery.Listener {
        private final PrintStream out;

        Printer(PrintStream out) {
            this.out = out;
        }

        @Override
        public void header(String file, SegmentHeader header) {
            out.println("# " + file + ": format " + header.formatVersion() + ", segment " + header.segmentIndex()
                    + ", " + header.identity());
        }

        @Override
        public void record(String file, long offset, int length, WalRecord record) {
            out.println(shortName(file) + "@" + offset + " " + length + "B " + describe(record));
        }

        @Override
        public void ended(String file, SegmentScanner.Outcome outcome) {
            String how = switch (outcome.ending()) {
                case CLEAN -> "ends cleanly at offset " + outcome.endOffset();
                case TORN_TAIL -> "unfinished write at offset " + outcome.endOffset() + " (" + outcome.problem()
                        + "); a server would cut it";
                case TORN_CREATION -> "unfinished segment creation (" + outcome.problem()
                        + "); a server would remove it";
            };
            out.println("# " + shortName(file) + ": " + outcome.records() + " record(s), " + how + ", file size "
                    + outcome.fileSize());
        }

        private static String shortName(String file) {
            return file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf(':')) + 1);
        }

        private static String describe(WalRecord record) {
            if (record instanceof WalRecord.Promise p) {
                return "PROMISE epoch=" + p.promised();
            }
            if (record instanceof WalRecord.Entry e) {
                Command c = e.stored().command();
                return "ENTRY slot=" + e.slot() + " epoch=" + e.epoch() + " client=" + c.clientId() + " seq="
                        + c.sequence() + " payload=" + c.payload().length + "B" + preview(c.payload());
            }
            if (record instanceof WalRecord.Finalize f) {
                return "FINALIZE slot=" + f.slot();
            }
            return "SNAPSHOT_MARKER slot=" + record.slot() + " epoch=" + record.epoch();
        }

        private static String preview(byte[] payload) {
            if (payload.length == 0) {
                return "";
            }
            StringBuilder hex = new StringBuilder(" 0x");
            for (int i = 0; i < Math.min(16, payload.length); i++) {
                hex.append(String.format("%02x", payload[i]));
            }
            return payload.length > 16 ? hex.append("...").toString() : hex.toString();
        }
    }
}
