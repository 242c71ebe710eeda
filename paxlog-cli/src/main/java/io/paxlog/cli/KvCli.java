package io.paxlog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static final String VALUE_HELP = "The value as UTF-8 text; without it (and without --file), standard input's bytes.";

    static String path(String key) {
        return "/v1/kv/" + UrlText.encode(key.getBytes(StandardCharsets.UTF_8));
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Prints the key's value, byte for byte (a newline is added only on a terminal; with"
                    + " --json: {\"key\",\"value\",\"version\"}, the value in base64 with \"valueBase64\": true"
                    + " if it is not UTF-8).", HttpOptions.EXIT_HELP})
    static final class Get implements Callable<Integer> {
        @Mixin
        HttpOptions options;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--no-newline", description = "Add no newline after the value, even on a terminal.")
        boolean noNewline;

        @Override
        public Integer call() {
            try {
                HttpResponse<byte[]> response = options.send("GET", path(key), null);
                if (response.statusCode() != 200) {
                    return HttpOptions.failed("kv get", response);
                }
                byte[] value = response.body();
                long version = KvCli.version(response);
                if (options.json) {
                    var line = HttpOptions.JSON.createObjectNode().put("key", key);
                    String text = utf8OrNull(value);
                    if (text != null) {
                        line.put("value", text);
                    } else {
                        line.put("value", java.util.Base64.getEncoder().encodeToString(value)).put("valueBase64", true);
                    }
                    System.out.println(line.put("version", version));
                } else {
                    // The bytes as stored: decoding them as text would turn bytes that are not UTF-8 into
                    // U+FFFD, and a newline a script did not store would end up in its files. On a terminal
                    // a newline keeps the prompt off the value's last line.
                    System.out.write(value);
                    if (!noNewline && System.console() != null && (value.length == 0 || value[value.length - 1] != '\n')) {
                        System.out.write('\n');
                    }
                    System.out.flush();
                }
                return HttpOptions.EXIT_OK;
            } catch (Exception e) {
                return HttpOptions.failed("kv get", e, false);
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

        @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = VALUE_HELP)
        String value;

        @Mixin
        ValueSource source;

        @Option(names = "--if-absent", description = "Only create: fail (exit 6) if the key exists.")
        boolean ifAbsent;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            byte[] bytes = source.bytes("kv put", value);
            return bytes == null ? HttpOptions.EXIT_USAGE : write("kv put", options, "PUT", path(key), bytes,
                    idempotencyKey, ifAbsent ? new String[] {"If-None-Match", "*"} : new String[0]);
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

        @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = VALUE_HELP)
        String value;

        @Mixin
        ValueSource source;

        @Option(names = "--idempotency-key", paramLabel = "K",
                description = "Make a retry with the same K apply once and answer as the first did.")
        String idempotencyKey;

        @Override
        public Integer call() {
            if (version < 1) {
                System.err.println("paxlog kv cas: VERSION must be >= 1 (use put --if-absent to create)");
                return HttpOptions.EXIT_USAGE;
            }
            byte[] bytes = source.bytes("kv cas", value);
            return bytes == null ? HttpOptions.EXIT_USAGE : write("kv cas", options, "PUT", path(key), bytes,
                    idempotencyKey, "If-Match", "\"" + version + "\"");
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
                return HttpOptions.failed("kv list", e, false);
            }
        }

        private static String line(JsonNode entry) {
            return text(entry, "key") + "\t" + entry.get("version").asLong() + "\t" + text(entry, "value");
        }

        private static String text(JsonNode entry, String field) {
            return (entry.path(field + "Base64").asBoolean() ? "base64:" : "") + entry.get(field).asText();
        }
    }

    /**
     * Where a written value comes from: the VALUE argument (UTF-8), {@code --file} (its bytes), or, with
     * neither, standard input (its bytes, to the end: {@code echo -n}, a pipe, a redirect).
     */
    static final class ValueSource {
        @Option(names = "--file", paramLabel = "FILE", description = "The value is this file's bytes, exactly.")
        Path file;

        /** The value's bytes, or null after printing why there are none. {@code given}: VALUE, or null. */
        byte[] bytes(String command, String given) {
            if (given != null && file != null) {
                System.err.println("paxlog " + command + ": give VALUE or --file, not both");
                return null;
            }
            try {
                if (file != null) {
                    return Files.readAllBytes(file);
                }
                if (given != null) {
                    return given.getBytes(StandardCharsets.UTF_8);
                }
                return System.in.readAllBytes();
            } catch (IOException e) {
                System.err.println("paxlog " + command + ": cannot read the value: " + e);
                return null;
            }
        }
    }

    /** PUT or DELETE, printing the new or previous version. */
    static int write(String command, HttpOptions options, String method, String path, byte[] value,
            String idempotencyKey, String... headers) {
        String[] all = headers;
        if (idempotencyKey != null) {
            all = java.util.Arrays.copyOf(headers, headers.length + 2);
            all[headers.length] = "Idempotency-Key";
            all[headers.length + 1] = idempotencyKey;
        }
        try {
            HttpResponse<byte[]> response = options.send(method, path, value, all);
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
            return HttpOptions.failed(command, e, true);
        }
    }

    /** {@code bytes} as text if they are UTF-8, else null. */
    static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
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
