package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code paxlog lock acquire|release|show}: the lock service through any server's HTTP API ({@code service: lock}). */
@Command(name = "lock", mixinStandardHelpOptions = true,
        description = {"Acquires, releases and shows locks of a running cluster (`paxlog demo --service lock`'s by default).",
            HttpOptions.EXIT_HELP},
        subcommands = {LockCli.Acquire.class, LockCli.Release.class, LockCli.Show.class})
final class LockCli implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("paxlog lock: which one? acquire, release or show");
        spec.commandLine().usage(System.err);
        return HttpOptions.EXIT_USAGE;
    }

    static String path(String name) {
        return "/v1/locks/" + UrlText.encode(name.getBytes(StandardCharsets.UTF_8));
    }

    @Command(name = "acquire", mixinStandardHelpOptions = true,
            description = {"Takes the lock for OWNER, or renews it if OWNER holds it; prints token=T expiresInMs=N: how"
                    + " long the leader will still let the lease run, counted from its answer (count it from when you ran"
                    + " the command to be safe).",
                "If another owner holds it: prints who, exit 6. With --idempotency-key, a retry whose first grant has"
                    + " ended since (expired, released) prints \"lease lost: ...\", exit 6.", HttpOptions.EXIT_HELP})
    static final class Acquire implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--owner", required = true, paramLabel = "OWNER")
        String owner;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "30s",
                converter = JournalCommand.DurationConverter.class,
                description = "The lease: renew before it runs out (default: ${DEFAULT-VALUE}).")
        Duration ttl;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            String body = HttpOptions.JSON.createObjectNode().put("owner", owner).put("ttlMs", ttl.toMillis()).toString();
            try {
                HttpResponse<byte[]> response = idempotencyKey == null
                        ? options.send("POST", path(name), body.getBytes(StandardCharsets.UTF_8))
                        : options.send("POST", path(name), body.getBytes(StandardCharsets.UTF_8),
                                "Idempotency-Key", idempotencyKey);
                if (response.statusCode() == 409 && !options.json) {
                    JsonNode refused = HttpOptions.json(response);
                    if (refused.path("error").asText().equals("lease_lost")) {
                        // Applied once, but that lease has ended: this owner does not hold the lock.
                        System.out.println("lease lost: token=" + refused.path("lostToken").asLong() + " ended; "
                                + (refused.path("holder").isTextual() ? "held by " + refused.path("holder").asText()
                                        + " token=" + refused.path("token").asLong() : "nobody holds it"));
                    } else {
                        System.out.println("held by " + refused.path("holder").asText() + " token="
                                + refused.path("token").asLong());
                    }
                    return HttpOptions.EXIT_PRECONDITION_FAILED;
                }
                if (response.statusCode() == 409) {
                    System.out.println(HttpOptions.json(response));
                    return HttpOptions.EXIT_PRECONDITION_FAILED;
                }
                if (response.statusCode() != 200) {
                    return HttpOptions.failed("lock acquire", response);
                }
                JsonNode granted = HttpOptions.json(response);
                JsonNode expires = granted.path("expiresInMs");
                System.out.println(options.json ? granted.toString() : "token=" + granted.get("token").asLong()
                        + " expiresInMs=" + (expires.isIntegralNumber() ? Long.toString(expires.asLong()) : "unknown")
                        + (granted.path("renewed").asBoolean() ? " (renewed)" : ""));
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("lock acquire", e, true);
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"Releases the lock OWNER holds; prints released token=T. Exit 6 if OWNER does not hold it.",
                HttpOptions.EXIT_HELP})
    static final class Release implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--owner", required = true, paramLabel = "OWNER")
        String owner;

        @Override
        public Integer call() {
            try {
                HttpResponse<byte[]> response = options.send("DELETE", path(name) + "?owner="
                        + UrlText.encode(owner.getBytes(StandardCharsets.UTF_8)), null);
                if (response.statusCode() != 200) {
                    return HttpOptions.failed("lock release", response);
                }
                JsonNode released = HttpOptions.json(response);
                System.out.println(options.json ? released.toString() : "released token=" + released.get("token").asLong());
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("lock release", e, true);
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Prints who holds the lock: holder=O token=T ttlMs=N remainingMs=R (the leader's count). Exit 5 if"
                    + " nobody does.", HttpOptions.EXIT_HELP})
    static final class Show implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try {
                HttpResponse<byte[]> response = options.send("GET", path(name), null);
                if (response.statusCode() != 200) {
                    return HttpOptions.failed("lock show", response);
                }
                JsonNode lease = HttpOptions.json(response);
                System.out.println(options.json ? lease.toString() : "holder=" + lease.get("holder").asText() + " token="
                        + lease.get("token").asLong() + " ttlMs=" + lease.get("ttlMs").asLong() + " remainingMs="
                        + lease.get("remainingMs").asLong());
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("lock show", e, false);
            }
        }
    }
}
