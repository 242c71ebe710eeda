package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code paxlog kv get|put|del|cas|list}: the key-value service through any server's HTTP API (the
 * cluster must run {@code service: kv}). Keys and values are given as UTF-8 text.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = {"Reads and writes the key-value store of a running cluster (`paxlog demo --service kv`'s by default).",
            HttpOptions.EXIT_HELP},
        subcommands = {KvCli.Get.class, KvCli.Put.class, KvCli.Del.class, KvCli.Cas.class, KvCli.ListKeys.class})
final class KvCli implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("paxlog kv: which one? get, put, del, cas or list");
        spec.commandLine().usage(System.err);
        return HttpOptions.EXIT_USAGE;
    }

    static String path(String key) {
        return "/v1/kv/" + UrlText.encode(key.getBytes(StandardCharsets.UTF_8));
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Prints the key's value (and, with --json, its version).", HttpOptions.EXIT_HELP})
    static final class Get implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            try {
                HttpResponse<byte[]> response = options.send("GET", path(key), null);
                if (response.statusCode() != 200) {
                    return HttpOptions.failed("kv get", response);
                }
                String value = new String(response.body(), StandardCharsets.UTF_8);
                long version = KvCli.version(response);
                if (options.json) {
                    System.out.println(HttpOptions.JSON.createObjectNode().put("key", key).put("value", value)
                            .put("version", version));
                } else {
                    System.out.println(value);
                }
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("kv get", e);
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Sets the key to VALUE; prints version=N (the slot that wrote it).", HttpOptions.EXIT_HELP})
    static final class Put implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Option(names = "--if-absent", description = "Only create: fail (exit 6) if the key exists.")
        boolean ifAbsent;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            return write("kv put", options, "PUT", path(key), value, idempotencyKey,
                    ifAbsent ? new String[] {"If-None-Match", "*"} : new String[0]);
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
            description = {"Compare-and-set: sets KEY to VALUE only if its version is VERSION; prints version=N.",
                HttpOptions.EXIT_HELP})
    static final class Cas implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VERSION", description = "The version the key must have (from get --json).")
        long version;

        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            if (version < 1) {
                System.err.println("paxlog kv cas: VERSION must be >= 1 (use put --if-absent to create)");
                return HttpOptions.EXIT_USAGE;
            }
            return write("kv cas", options, "PUT", path(key), value, idempotencyKey, "If-Match", "\"" + version + "\"");
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            description = {"Deletes the key; prints deleted version=N (the version it had).", HttpOptions.EXIT_HELP})
    static final class Del implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--if-version", paramLabel = "V", description = "Only if the key's version is V.")
        Long ifVersion;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            return write("kv del", options, "DELETE", path(key), null, idempotencyKey,
                    ifVersion == null ? new String[0] : new String[] {"If-Match", "\"" + ifVersion + "\""});
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists keys with PREFIX in key order: KEY<tab>VERSION<tab>VALUE per line; values that are"
                    + " not UTF-8 print as base64: (in --json: a \"keyBase64\"/\"valueBase64\" flag).",
                HttpOptions.EXIT_HELP})
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "", description = "Default: every key.")
        String prefix;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                description = "At most N keys (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            if (limit < 1) {
                System.err.println("paxlog kv list: --limit must be >= 1");
                return HttpOptions.EXIT_USAGE;
            }
            try {
                int left = limit;
                String after = "";
                while (left > 0) {
                    HttpResponse<byte[]> response = options.send("GET", "/v1/kv?prefix="
                            + UrlText.encode(prefix.getBytes(StandardCharsets.UTF_8)) + "&limit=" + left
                            + (after.isEmpty() ? "" : "&after=" + after), null);
                    if (response.statusCode() != 200) {
                        return HttpOptions.failed("kv list", response);
                    }
                    JsonNode entries = HttpOptions.json(response);
                    for (JsonNode entry : entries) {
                        System.out.println(options.json ? entry.toString() : line(entry));
                    }
                    left -= entries.size();
                    after = response.headers().firstValue("Paxlog-Next-After").orElse("");
                    if (entries.isEmpty() || after.isEmpty()) {
                        break;
                    }
                }
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("kv list", e);
            }
        }

        private static String line(JsonNode entry) {
            return text(entry, "key") + "\t" + entry.get("version").asLong() + "\t" + text(entry, "value");
        }

        private static String text(JsonNode entry, String field) {
            return (entry.path(field + "Base64").asBoolean() ? "base64:" : "") + entry.get(field).asText();
        }
    }

    /** PUT or DELETE, printing the new or previous version. */
    static int write(String command, HttpOptions options, String method, String path, String value,
            String idempotencyKey, String... headers) {
        String[] all = headers;
        if (idempotencyKey != null) {
            all = java.util.Arrays.copyOf(headers, headers.length + 2);
            all[headers.length] = "Idempotency-Key";
            all[headers.length + 1] = idempotencyKey;
        }
        try {
            HttpResponse<byte[]> response = options.send(method, path,
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8), all);
            if (response.statusCode() != 200) {
                return HttpOptions.failed(command, response);
            }
            JsonNode body = HttpOptions.json(response);
            if (options.json) {
                System.out.println(body);
            } else if (body.has("previousVersion")) {
                System.out.println("deleted version=" + body.get("previousVersion").asLong());
            } else {
                System.out.println("version=" + body.get("version").asLong());
            }
            return HttpOptions.EXIT_OK;
        } catch (Exception e) {
            return HttpOptions.failed(command, e);
        }
    }

    /** The version in an {@code ETag: "N"} header, 0 if there is none. */
    static long version(HttpResponse<byte[]> response) {
        String tag = response.headers().firstValue("ETag").orElse("\"0\"").replace("\"", "");
        try {
            return Long.parseLong(tag);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
