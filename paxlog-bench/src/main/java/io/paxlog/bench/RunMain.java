package io.paxlog.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One run in a JVM of its own (started by {@link Bench}, one per run, so no run inherits another's JIT,
 * heap or threads, and each system's client runs on its own class path):
 * {@code java -cp CP io.paxlog.bench.RunMain --system S --workload W --servers N --in-flight N --payload B
 * --warmup-ms MS --measure-ms MS --repetition R --seed S --dir DIR --out FILE [--server-jvm-option OPT]...}.
 * Writes a {@link RunResult} to {@code --out}; exit status 0 when it measured, 1 when the run failed (the
 * result says why), 2 for bad arguments.
 */
public final class RunMain {

    private RunMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        List<String> serverJvmOptions = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--server-jvm-option")) {
                serverJvmOptions.add(args[i + 1]);
            } else {
                options.put(args[i], args[i + 1]);
            }
        }
        Setting setting;
        RunKey key;
        Path dir;
        Path out;
        long seed;
        try {
            setting = new Setting(options.get("--system"), Workload.valueOf(options.get("--workload")),
                    Integer.parseInt(options.get("--servers")), Integer.parseInt(options.get("--in-flight")),
                    Integer.parseInt(options.get("--payload")), Duration.ofMillis(Long.parseLong(options.get("--warmup-ms"))),
                    Duration.ofMillis(Long.parseLong(options.get("--measure-ms"))));
            key = RunKey.of(setting, Integer.parseInt(options.get("--repetition")));
            dir = Path.of(options.get("--dir"));
            out = Path.of(options.get("--out"));
            seed = Long.parseLong(options.get("--seed"));
        } catch (RuntimeException e) {
            System.err.println("RunMain: bad arguments (" + e + "): " + String.join(" ", args));
            System.exit(2);
            return;
        }
        RunResult result;
        try {
            result = new RunResult(key, Run.measure(setting, dir, serverJvmOptions, seed), null);
        } catch (Exception | Error e) {
            e.printStackTrace();
            result = new RunResult(key, null, e.toString());
        }
        Files.writeString(out, Json.MAPPER.writeValueAsString(result));
        // The systems' clients may leave non-daemon threads behind: the run is over, whatever they hold.
        System.exit(result.ok() ? 0 : 1);
    }
}
