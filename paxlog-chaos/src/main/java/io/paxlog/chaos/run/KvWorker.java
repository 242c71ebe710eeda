package io.paxlog.chaos.run;

import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One client of the register workload: a loop of reads, writes of values unique in the run, and
 * compare-and-sets against the last version it read, on a few keys, each operation recorded with what
 * its client can tell of the outcome. The transport (Java client, HTTP) is the subclass's.
 */
abstract class KvWorker implements Worker {

    /** What a read returned: the value (null if absent) and its version (0 if absent). */
    record Seen(String value, long version) {}

    /** What a write's client was told. */
    sealed interface WriteAnswer {
        /** Written at {@code version}. */
        record Done(long version) implements WriteAnswer {}

        /** A compare-and-set whose condition did not hold. */
        record Mismatch() implements WriteAnswer {}

        /** {@link Outcome#FAILED} or {@link Outcome#UNKNOWN}. */
        record NotDone(Outcome outcome) implements WriteAnswer {}
    }

    final int client;
    private final Recorder<RegisterModel.Input, RegisterModel.Output> recorder;
    private final List<String> keys;
    private final Random random;
    private final Map<String, Seen> lastSeen = new HashMap<>();
    private volatile boolean stopping;
    private int written;

    KvWorker(int client, Recorder<RegisterModel.Input, RegisterModel.Output> recorder, List<String> keys, long seed) {
        this.client = client;
        this.recorder = recorder;
        this.keys = keys;
        this.random = new Random(seed);
    }

    /** Reads {@code key}; null if no answer (a read changes nothing, so it is left out of the history). */
    abstract Seen read(String key) throws InterruptedException;

    /** Writes {@code value}; with {@code expectVersion} > 0 only if that is the version, with 0 only if absent, with -1 always. */
    abstract WriteAnswer write(String key, String value, long expectVersion) throws InterruptedException;

    @Override
    public int client() {
        return client;
    }

    @Override
    public void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void step() throws InterruptedException {
        String key = keys.get(random.nextInt(keys.size()));
        int roll = random.nextInt(10);
        if (roll < 4) {
            readAndRecord(key);
            return;
        }
        String value = "c" + client + "-" + written++;
        long invoke = recorder.now();
        if (roll < 8) {
            record(key, new RegisterModel.Write(value), invoke, write(key, value, -1), false);
            return;
        }
        Seen seen = lastSeen.get(key);
        String expected = seen == null ? null : seen.value();
        long version = seen == null ? 0 : seen.version();
        record(key, new RegisterModel.Cas(expected, value), invoke, write(key, value, version), true);
    }

    /** A read, recorded: also the final reads after the run, which look for lost writes. */
    void readAndRecord(String key) throws InterruptedException {
        long invoke = recorder.now();
        Seen seen = read(key);
        long complete = recorder.now();
        if (seen == null) {
            recorder.add(client, key, new RegisterModel.Read(), null, Outcome.FAILED, invoke, complete);
            return;
        }
        lastSeen.put(key, seen);
        recorder.add(client, key, new RegisterModel.Read(), new RegisterModel.ReadValue(seen.value()), Outcome.OK, invoke,
                complete);
        if (seen.value() != null) {
            recorder.version(key, seen.value(), seen.version());
        }
    }

    private void record(String key, RegisterModel.Input input, long invoke, WriteAnswer answer, boolean cas) {
        long complete = recorder.now();
        String value = input instanceof RegisterModel.Write w ? w.value() : ((RegisterModel.Cas) input).value();
        if (answer instanceof WriteAnswer.Done done) {
            RegisterModel.Output output = cas ? new RegisterModel.CasResult(true) : new RegisterModel.Written();
            recorder.add(client, key, input, output, Outcome.OK, invoke, complete);
            recorder.version(key, value, done.version());
            lastSeen.put(key, new Seen(value, done.version()));
        } else if (answer instanceof WriteAnswer.Mismatch) {
            if (!cas) {
                throw new IllegalStateException("an unconditional write answered a condition mismatch");
            }
            recorder.add(client, key, input, new RegisterModel.CasResult(false), Outcome.OK, invoke, complete);
            lastSeen.remove(key); // stale: the next compare-and-set waits for a fresh read
        } else {
            recorder.add(client, key, input, null, ((WriteAnswer.NotDone) answer).outcome(), invoke, complete);
        }
    }
}
