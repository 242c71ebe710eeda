package io.paxlog.server;

import io.paxlog.server.config.ConfigException;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.server.service.ServiceCatalog;
import io.paxlog.storage.WalCorruptedException;
import io.paxlog.storage.WalTool;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -cp ... io.paxlog.server.ServerMain --config FILE --id N}: runs one server until SIGTERM
 * (or SIGINT), then stops it cleanly. {@code paxlog server} runs the same code.
 *
 * <p>Exit status: 143 (130 for SIGINT) after a clean stop on a signal, as the JVM reports signals; 1 could not start (an address in use, a directory that cannot
 * be created); 2 bad arguments or configuration (every problem is printed); 3 the data directory is in
 * use by another server; 4 the data directory holds another cluster's or server's log or snapshots
 * (nothing is damaged: it is the wrong directory); {@value PaxlogServer#EXIT_STORAGE_FATAL} the log is
 * damaged or the disk failed; {@value PaxlogServer#EXIT_INTERNAL_ERROR} the server's loop failed (a bug).
 */
public final class ServerMain {

    public static final int EXIT_CANNOT_START = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_DATA_DIR_LOCKED = 3;
    /** Not 70 ("storage failure"): an operator who pointed a server at the wrong directory must not go hunting for a broken disk. */
    public static final int EXIT_FOREIGN_DATA = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ServerMain.class);

    private ServerMain() {}

    public static void main(String[] args) {
        Path config = null;
        Integer id = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            boolean hasValue = i + 1 < args.length;
            if (arg.equals("--config") && hasValue) {
                config = Path.of(args[++i]);
            } else if (arg.equals("--id") && hasValue) {
                try {
                    id = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    id = null;
                    break;
                }
            } else {
                config = null;
                break;
            }
        }
        if (config == null || id == null) {
            System.err.println("usage: ServerMain --config FILE --id N");
            System.exit(EXIT_USAGE);
        }
        System.exit(run(config, id, System.err));
    }

    /**
     * Starts server {@code id} from {@code configFile}, stops it cleanly on SIGTERM or SIGINT, and
     * returns the exit status (see the class comment). Blocks until the server has stopped.
     */
    public static int run(Path configFile, int id, PrintStream err) {
        // One look at the class path: the service the configuration was checked against is the one run.
        ServiceCatalog services = ServiceCatalog.onClassPath();
        ServerConfig config;
        try {
            config = ServerConfig.load(configFile, id, services);
        } catch (ConfigException e) {
            err.println("paxlog server: " + e.getMessage());
            return EXIT_USAGE;
        }
        PaxlogServer server;
        try {
            server = PaxlogServer.start(config, id, services.named(config.cluster().service()), System::exit);
        } catch (DataDirLock.LockedException e) {
            err.println("paxlog server: " + e.getMessage());
            return EXIT_DATA_DIR_LOCKED;
        } catch (WalCorruptedException e) {
            if (WalTool.isForeign(e)) {
                err.println("paxlog server: the data directory " + config.dataDirectory(id) + " holds another cluster's"
                        + " or server's data (this is cluster " + config.cluster().id() + ", server " + id
                        + "), refusing to start: " + e.getMessage());
                return EXIT_FOREIGN_DATA;
            }
            err.println("paxlog server: the write-ahead log in " + config.dataDirectory(id)
                    + " cannot be trusted, refusing to start: " + e.getMessage());
            return PaxlogServer.EXIT_STORAGE_FATAL;
        } catch (UncheckedIOException e) {
            err.println("paxlog server: cannot start server " + id + ": " + e.getMessage());
            return EXIT_CANNOT_START;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "paxlog-shutdown"));
        try {
            server.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("server {}: interrupted; stopping", id);
            server.close();
        }
        return 0;
    }
}
