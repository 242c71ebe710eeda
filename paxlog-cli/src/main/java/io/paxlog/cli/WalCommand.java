package io.paxlog.cli;

import io.paxlog.storage.WalTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code paxlog wal dump|verify DIR}: reads a server's write-ahead log without changing it. */
@Command(name = "wal", mixinStandardHelpOptions = true,
        description = "Reads a server's write-ahead log without changing it.",
        subcommands = {WalCommand.Dump.class, WalCommand.Verify.class})
final class WalCommand {

    /** Options shared by both subcommands. */
    abstract static class WalAction implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The server's data directory.")
        Path directory;

        @Option(names = "--cluster", description = "Cluster id every segment must carry (default: the first segment's).")
        String cluster;

        @Option(names = "--server", description = "Server id every segment must carry (default: the first segment's).")
        Integer server;

        abstract String action();

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of(action(), directory.toString()));
            if (cluster != null) {
                args.addAll(List.of("--cluster", cluster));
            }
            if (server != null) {
                args.addAll(List.of("--server", server.toString()));
            }
            return WalTool.run(args.toArray(String[]::new), System.out, System.err);
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = {"Prints every record of the log, one per line, then a summary.",
                "Exit status: 0 recoverable, 1 not recoverable, 2 usage, 3 I/O error, 4 no log in DIR."})
    static final class Dump extends WalAction {
        @Override
        String action() {
            return "dump";
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks that a server could recover from this directory, and says where and why not.",
                "Exit status: 0 recoverable, 1 not recoverable, 2 usage, 3 I/O error, 4 no log in DIR."})
    static final class Verify extends WalAction {
        @Override
        String action() {
            return "verify";
        }
    }
}
