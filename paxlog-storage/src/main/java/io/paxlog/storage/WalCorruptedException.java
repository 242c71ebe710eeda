package io.paxlog.storage;

/**
 * The log on disk cannot be trusted, so the server must not start from it: a damaged record that is
 * not a torn final write, a missing segment, a file from another cluster or server, or an unknown
 * format. The message names the file, the offset, the problem and what the operator can do.
 */
public final class WalCorruptedException extends RuntimeException {

    /** What the operator can do; chosen by the kind of problem. */
    enum Advice {
        DAMAGE("Data that was already acknowledged may be affected, so the server refuses to start rather"
                + " than forget it. Keep this server stopped and copy its data directory aside for analysis;"
                + " do not edit or delete log files to force a start (that can break agreement). If the rest"
                + " of the cluster is healthy, replace this server with a fresh one; otherwise restore the"
                + " directory from a backup."),
        FOREIGN("The file belongs to another server or cluster: check the data directory in this server's"
                + " configuration, and move files that belong elsewhere out of it."),
        VERSION("The file was written in a format this build does not read: run the paxlog version that"
                + " wrote it.");

        final String text;

        Advice(String text) {
            this.text = text;
        }
    }

    private final String file;
    private final long offset;
    private final String problem;

    WalCorruptedException(String file, long offset, String problem, Advice advice) {
        super("write-ahead log cannot be recovered: " + file + " at offset " + offset + ": " + problem + ". "
                + advice.text);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** The damaged file, as the file layer describes it (a path for a real directory). */
    public String file() {
        return file;
    }

    /** Byte offset in {@link #file()} where the problem lies. */
    public long offset() {
        return offset;
    }

    /** The problem alone, without file, offset and advice. */
    public String problem() {
        return problem;
    }
}
