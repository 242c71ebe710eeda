package io.paxlog.cli;

import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.PaxlogClientException;
import io.paxlog.journal.JournalMachine;
import io.paxlog.server.config.DemoCluster;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code paxlog journal append|read}: a client of the journal service (the server's
 * {@link JournalMachine}) through {@link PaxlogClient}. The commands and results are encoded by
 * {@code JournalMachine}'s own static helpers, so the CLI, the tests and the server share one format.
 *
 * <p>Exit status, so that a script can tell what it may assume: 0 done; 2 usage; 3 outcome unknown
 * (the last append may or may not be in the journal: a timeout, no quorum, a server error); 4 not
 * applied (nothing reached a server, or the cluster or the journal refused it); 1 anything else.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = {
            "Appends to and reads the journal of a running cluster (`paxlog demo`'s by default).",
            "Exit status: 0 done; 2 usage; 3 outcome unknown (timeout, no quorum, server",
            "error): it may or may not have been applied; 4 not applied, or refused."
        },
        subcommands = {JournalCommand.Append.class, JournalCommand.Read.class})
final class JournalCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_OUTCOME_UNKNOWN = 3;
    static final int EXIT_NOT_APPLIED = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("paxlog journal: which one? append or read");
        spec.commandLine().usage(System.err);
        return EXIT_USAGE;
    }

    /** Where the cluster is and how long to wait for it: the options both subcommands share. */
    static final class ClusterOptions {

        @Option(names = "--servers", paramLabel = "LIST",
                description = "The servers' client addresses, host:port,host:port (server ids 1, 2, ... in order)"
                        + " or 1=host:port,2=host:port. Default: the demo cluster's on --base-port.")
        String servers;

        @Option(names = "--base-port", paramLabel = "P", defaultValue = "" + DemoCluster.BASE_PORT_DEFAULT,
                description = "The demo cluster's base port, as given to `paxlog demo --base-port`: its clients"
                        + " listen on 127.0.0.1:P-1000+i (default: ${DEFAULT-VALUE}, so 7081-7085).")
        int basePort;

        @Option(names = "--cluster", paramLabel = "ID", defaultValue = DemoCluster.CLUSTER_ID,
                description = "The cluster's id (default: ${DEFAULT-VALUE}).")
        String clusterId;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
                converter = DurationConverter.class,
                description = "How long each command may take, e.g. 500ms, 5s, 1m (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--json", description = "One JSON object per line on standard output, for scripts.")
        boolean json;

        /** @throws IllegalArgumentException naming what is wrong with the options */
        PaxlogClient connect() {
            PaxlogClient.Builder builder = PaxlogClient.builder().clusterId(clusterId).requestTimeout(timeout)
                    // Give up on a cluster without a leader within the timeout, however short it is.
                    .noLeaderTimeout(min(PaxlogClient.Builder.NO_LEADER_TIMEOUT_DEFAULT, timeout));
            if (servers != null) {
                builder.servers(servers);
            } else {
                DemoCluster.requireValidBasePort(basePort);
                List<InetSocketAddress> demo = new ArrayList<>();
                for (int id = 1; id <= DemoCluster.SERVERS; id++) {
                    demo.add(new InetSocketAddress("127.0.0.1", DemoCluster.clientPort(basePort, id)));
                }
                builder.servers(demo);
            }
            return builder.build();
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        /**
         * The id of the cluster actually listening, when it is not {@link #clusterId}; null when it is, or
         * cannot be told. A server answers a call of another cluster REJECTED ("belongs to cluster X")
         * and closes the connection; this names the cluster actually there as the option to give. The
         * demo's servers also answer HTTP on known ports, whose {@code /v1/status} names the cluster; for
         * other {@code --servers} there is no such address to ask.
         */
        String otherCluster() {
            if (servers != null) {
                return null;
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofMillis(500)).build();
            for (int id = 1; id <= DemoCluster.SERVERS; id++) {
                try {
                    java.net.http.HttpResponse<byte[]> response = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + DemoCluster.httpPort(basePort, id) + "/v1/status"))
                            .timeout(Duration.ofSeconds(1)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                    String theirs = HttpOptions.JSON.readTree(response.body()).path("clusterId").asText("");
                    if (response.statusCode() == 200 && !theirs.isEmpty()) {
                        return theirs.equals(clusterId) ? null : theirs;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (Exception e) {
                    // this one does not answer: ask the next
                }
            }
            return null;
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true,
            description = {
                "Appends each TEXT to the journal, in order, one command each; prints slot=N index=M per append.",
                "Stops at the first that fails: the ones printed before it are in the journal."
            })
    static final class Append implements Callable<Integer> {

        @Mixin
        ClusterOptions options;

        @Parameters(arity = "1..*", paramLabel = "TEXT", description = "What to append (UTF-8), one entry each.")
        List<String> texts;

        @Override
        public Integer call() {
            PrintStream out = System.out;
            PaxlogClient client;
            try {
                client = options.connect();
            } catch (IllegalArgumentException e) {
                return usage("append", e);
            }
            int done = 0;
            try (client) {
                for (String text : texts) {
                    byte[] command = JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8));
                    JournalMachine.Appended appended = JournalMachine.decodeAppended(apply(client, command));
                    out.println(options.json
                            ? "{\"slot\":" + appended.slot() + ",\"index\":" + appended.index() + "}"
                            : "slot=" + appended.slot() + " index=" + appended.index());
                    out.flush();
                    done++;
                }
                return EXIT_OK;
            } catch (Exception e) {
                String which = texts.size() == 1 ? "" : " (append " + (done + 1) + " of " + texts.size() + ")";
                return failed("append", which, e, options);
            }
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true,
            description = {
                "Prints the journal's entries, one per line: slot=N index=M TEXT.",
                "Backslashes, newlines and other control characters in TEXT are escaped (\\\\, \\n, \\u0001).",
                "Each page of up to " + JournalMachine.READ_ENTRIES_MAX + " entries is read through the log, so it"
                        + " sees every append acknowledged before it."
            })
    static final class Read implements Callable<Integer> {

        @Mixin
        ClusterOptions options;

        @Option(names = "--from", paramLabel = "I", defaultValue = "1",
                description = "The first index to print (default: ${DEFAULT-VALUE}, the first entry).")
        long from;

        @Option(names = "--limit", paramLabel = "N",
                description = "Print at most N entries (default: all from --from on).")
        Long limit;

        @Override
        public Integer call() {
            if (from < 1) {
                return usage("read", new IllegalArgumentException("--from must be >= 1, was " + from));
            }
            if (limit != null && limit < 1) {
                return usage("read", new IllegalArgumentException("--limit must be >= 1, was " + limit));
            }
            PrintStream out = System.out;
            PaxlogClient client;
            try {
                client = options.connect();
            } catch (IllegalArgumentException e) {
                return usage("read", e);
            }
            try (client) {
                long next = from;
                long left = limit == null ? Long.MAX_VALUE : limit;
                while (left > 0) {
                    int want = (int) Math.min(left, JournalMachine.READ_ENTRIES_MAX);
                    JournalMachine.Page page = JournalMachine.decodePage(
                            apply(client, JournalMachine.readCommand(next, want)));
                    for (JournalMachine.Entry entry : page.entries()) {
                        out.println(options.json ? json(entry) : plain(entry));
                    }
                    out.flush();
                    if (page.entries().isEmpty()) {
                        break;
                    }
                    next = page.entries().get(page.entries().size() - 1).index() + 1;
                    left -= page.entries().size();
                    if (next > page.size()) {
                        break;
                    }
                }
                return EXIT_OK;
            } catch (Exception e) {
                return failed("read", "", e, options);
            }
        }
    }

    /** A command the client refuses to send (too large for a frame): the caller's mistake. */
    private static final class TooLargeException extends RuntimeException {
        TooLargeException(IllegalArgumentException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static byte[] apply(PaxlogClient client, byte[] command)
            throws OutcomeUnknownException, CommandNotAppliedException, InterruptedException {
        try {
            return client.call(command).value();
        } catch (IllegalArgumentException e) {
            throw new TooLargeException(e);
        }
    }

    private static int usage(String command, RuntimeException e) {
        System.err.println("paxlog journal " + command + ": " + oneLine(e.getMessage()));
        return EXIT_USAGE;
    }

    /** One line on standard error, and the exit status that says what the caller may assume. */
    private static int failed(String command, String which, Exception e, ClusterOptions options) {
        String prefix = "paxlog journal " + command + which + ": ";
        if (e instanceof PaxlogClientException) {
            String theirs = options.otherCluster();
            if (theirs != null) {
                // Every server refused this client's frames unread: nothing of it was applied.
                System.err.println(prefix + "the servers are cluster '" + theirs + "', not '" + options.clusterId
                        + "' (--cluster): they refuse another cluster's connections, so nothing was applied;"
                        + " give --cluster " + theirs);
                return EXIT_NOT_APPLIED;
            }
        }
        if (e instanceof OutcomeUnknownException) {
            String hint = e.getMessage() != null && e.getMessage().contains("connection lost")
                    ? " (servers also drop a client whose --cluster is not theirs: GET /v1/status names the cluster)" : "";
            System.err.println(prefix + oneLine(e.getMessage()) + hint);
            return EXIT_OUTCOME_UNKNOWN;
        }
        if (e instanceof CommandNotAppliedException) {
            System.err.println(prefix + oneLine(e.getMessage()));
            return EXIT_NOT_APPLIED;
        }
        if (e instanceof TooLargeException tooLarge) {
            return usage(command, tooLarge);
        }
        if (e instanceof JournalMachine.RefusedException) {
            // The command was applied, and the journal refused it (full, malformed): nothing was appended.
            System.err.println(prefix + oneLine(e.getMessage()) + "; not appended");
            return EXIT_NOT_APPLIED;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            System.err.println(prefix + "interrupted; the command in flight may or may not have been applied");
            return EXIT_OUTCOME_UNKNOWN;
        }
        System.err.println(prefix + e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage())));
        return EXIT_FAILED;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    static String plain(JournalMachine.Entry entry) {
        String text = new String(entry.data(), StandardCharsets.UTF_8);
        StringBuilder line = new StringBuilder("slot=").append(entry.slot()).append(" index=").append(entry.index())
                .append(' ');
        for (int i = 0; i < text.length(); i++) {
            escape(text.charAt(i), line, false);
        }
        return line.toString();
    }

    /** {@code {"index":1,"slot":7,"data":"..."}}, or {@code "base64"} instead of {@code "data"} if not UTF-8. */
    static String json(JournalMachine.Entry entry) {
        StringBuilder line = new StringBuilder("{\"index\":").append(entry.index()).append(",\"slot\":")
                .append(entry.slot());
        String text = strictUtf8(entry.data());
        if (text == null) {
            return line.append(",\"base64\":\"").append(Base64.getEncoder().encodeToString(entry.data()))
                    .append("\"}").toString();
        }
        line.append(",\"data\":\"");
        for (int i = 0; i < text.length(); i++) {
            escape(text.charAt(i), line, true);
        }
        return line.append("\"}").toString();
    }

    private static void escape(char c, StringBuilder out, boolean json) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '"' -> out.append(json ? "\\\"" : "\"");
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }

    private static String strictUtf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** {@code 500ms}, {@code 5s}, {@code 2m}, or ISO-8601 ({@code PT5S}); positive. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            Duration duration;
            try {
                if (text.endsWith("ms")) {
                    duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
                } else if (text.endsWith("s") && !text.startsWith("pt")) {
                    duration = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
                } else if (text.endsWith("m") && !text.startsWith("pt")) {
                    duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
                } else {
                    duration = Duration.parse(value.trim());
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 500ms, 5s or 1m");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration");
            }
            return duration;
        }
    }
}
