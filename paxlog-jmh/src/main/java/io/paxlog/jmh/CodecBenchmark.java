package io.paxlog.jmh;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.kv.KvCommands;
import io.paxlog.transport.codec.DecodeException;
import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientCodec;
import io.paxlog.transport.codec.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codecs on every command's path: the kv put a client encodes and every server decodes, and the
 * peer wire's {@code Store} of a batch of such commands (what a leader sends each follower per flush).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    @Param({"100", "1024", "16384"})
    int payloadBytes;

    @Param({"1", "64"})
    int batch;

    private byte[] key;
    private byte[] value;
    private byte[] put;
    private Store store;
    private byte[] storeBytes;
    private ClientAnswer answer;
    private byte[] callBytes;

    @Setup
    public void setUp() {
        key = "w-1234567".getBytes(StandardCharsets.UTF_8);
        value = new byte[payloadBytes];
        put = KvCommands.put(key, value);
        List<SlotCommand> entries = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            entries.add(new SlotCommand(1000 + i, new Command(42, 1 + i, put)));
        }
        store = new Store(new Epoch(7, 1), entries);
        storeBytes = MessageCodec.encode(store);
        answer = ClientAnswer.applied(1, 1000, new byte[0]);
        callBytes = ClientCodec.encodeCall(new ClientCall(1, 42, 1, put));
    }

    @Benchmark
    public byte[] kvPutEncode() {
        return KvCommands.put(key, value);
    }

    @Benchmark
    public Object kvPutDecode() {
        return KvCommands.decodeCommand(put);
    }

    @Benchmark
    public byte[] storeEncode() {
        return MessageCodec.encode(store);
    }

    @Benchmark
    public Message storeDecode() throws DecodeException {
        return MessageCodec.decode(storeBytes);
    }

    /** The answer a server sends per command (its result is the kv put's: empty here, as for a put). */
    @Benchmark
    public byte[] clientAnswerEncode() {
        return ClientCodec.encodeAnswer(answer);
    }

    /** The call a server decodes per command. */
    @Benchmark
    public ClientCall clientCallDecode() throws DecodeException {
        return ClientCodec.decodeCall(callBytes);
    }
}
