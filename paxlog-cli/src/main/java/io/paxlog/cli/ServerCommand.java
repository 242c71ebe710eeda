package io.paxlog.cli;

import io.paxlog.server.ServerMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code paxlog server --config FILE --id N}: runs one server until SIGTERM or Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {
            "Runs one server of a cluster until SIGTERM or Ctrl-C.",
            "The configuration file describes the cluster; on SIGTERM or Ctrl-C the server stops cleanly",
            "(in-flight writes finish, files close).",
            "Exit status: 143 stopped by SIGTERM (130: Ctrl-C); 1 cannot start (address in use...); 2 bad configuration (every problem",
            "is listed); 3 data directory in use by another server; 4 the data directory holds another cluster's",
            "or server's data (the wrong directory: nothing is damaged); 70 storage failure; 71 internal error."
        })
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cluster's YAML configuration.")
    Path config;

    @Option(names = "--id", required = true, paramLabel = "N", description = "Which server of the cluster this is.")
    int id;

    @Override
    public Integer call() {
        return ServerMain.run(config, id, System.err);
    }
}
