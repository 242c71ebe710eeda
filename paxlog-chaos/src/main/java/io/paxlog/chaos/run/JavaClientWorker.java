package io.paxlog.chaos.run;

import io.paxlog.chaos.check.Outcome;
import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.Result;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A worker on the Java client: the client finds the leader and retries each command with its
 * {@code (clientId, sequence)}, and types every failure as applied-or-not, which is what is recorded.
 */
final class JavaClientWorker extends KvWorker {

    private final PaxlogClient paxlog;

    JavaClientWorker(int client, Recorder<RegisterModel.Input, RegisterModel.Output> recorder, List<String> keys,
            long seed, PaxlogClient paxlog) {
        super(client, recorder, keys, seed);
        this.paxlog = paxlog;
    }

    @Override
    Seen read(String key) throws InterruptedException {
        try {
            Result result = paxlog.queryAndWait(KvCommands.get(bytes(key)));
            KvResult answer = KvCommands.decodeResult(result.value());
            if (answer instanceof KvResult.Found found) {
                return new Seen(new String(found.value(), StandardCharsets.UTF_8), found.version());
            }
            if (answer instanceof KvResult.NotFound) {
                return new Seen(null, 0);
            }
            throw new IllegalStateException("a get answered " + answer);
        } catch (CommandNotAppliedException e) {
            return null;
        }
    }

    @Override
    WriteAnswer write(String key, String value, long expectVersion) throws InterruptedException {
        byte[] command = expectVersion < 0 ? KvCommands.put(bytes(key), bytes(value))
                : expectVersion == 0 ? KvCommands.putIfAbsent(bytes(key), bytes(value))
                : KvCommands.compareAndSet(bytes(key), expectVersion, bytes(value));
        try {
            KvResult answer = KvCommands.decodeResult(paxlog.call(command).value());
            if (answer instanceof KvResult.Written written) {
                return new WriteAnswer.Done(written.version());
            }
            if (answer instanceof KvResult.ConditionFailed) {
                return new WriteAnswer.Mismatch();
            }
            // Refused by the state machine (a limit): applied as a refusal, nothing written.
            return new WriteAnswer.NotDone(Outcome.FAILED);
        } catch (OutcomeUnknownException e) {
            return new WriteAnswer.NotDone(Outcome.UNKNOWN);
        } catch (CommandNotAppliedException e) {
            return new WriteAnswer.NotDone(Outcome.FAILED);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        paxlog.close();
    }
}
