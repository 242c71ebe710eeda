package io.paxlog.chaos.avail;

import io.paxlog.chaos.check.RegisterModel;
import io.paxlog.chaos.run.Recorder;
import io.paxlog.client.CommandNotAppliedException;
import io.paxlog.client.OutcomeUnknownException;
import io.paxlog.client.PaxlogClient;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Steady writes through the Java client, which finds the leader among all servers and retries each
 * command with its own {@code (clientId, sequence)} within its request timeout. An outcome it reports
 * unknown is final here: the public API has no way to send that same sequence again.
 */
final class JavaSteadyWriter extends SteadyWriter {

    private final PaxlogClient paxlog;

    JavaSteadyWriter(int client, PaxlogClient paxlog, Recorder<RegisterModel.Input, RegisterModel.Output> recorder,
            Duration interval, int maxInFlight) {
        super(client, "java", recorder, interval, maxInFlight);
        this.paxlog = paxlog;
    }

    @Override
    Attempt attempt(String key, String value, int attemptNumber) throws InterruptedException {
        try {
            KvResult answer = KvCommands.decodeResult(paxlog.call(KvCommands.put(bytes(key), bytes(value))).value());
            if (answer instanceof KvResult.Written written) {
                return new Attempt.Applied(written.version());
            }
            // Refused by the state machine (a limit): applied as a refusal, nothing written.
            return new Attempt.NotApplied("refused: " + answer);
        } catch (OutcomeUnknownException e) {
            return new Attempt.Unknown(e.getClass().getSimpleName());
        } catch (CommandNotAppliedException e) {
            return new Attempt.NotApplied(e.getClass().getSimpleName());
        }
    }

    @Override
    boolean retriesUnknown() {
        return false;
    }

    @Override
    void closeTransport() {
        paxlog.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
