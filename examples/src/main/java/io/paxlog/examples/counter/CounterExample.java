package io.paxlog.examples.counter;

import io.paxlog.client.PaxlogClient;
import io.paxlog.server.EmbeddedCluster;
import java.nio.file.Path;

/**
 * Three servers in this JVM running the counter: add through the log, read by read-index, print. The data
 * stays in the directory given (default {@code counter-data}): each run counts on from the last.
 */
public final class CounterExample {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "counter-data");
        CounterCodec codec = CounterCodec.INSTANCE;
        try (EmbeddedCluster cluster = EmbeddedCluster.builder().servers(3).service(new CounterService())
                .dataDir(data).start()) {
            PaxlogClient client = cluster.client();
            byte[] added = client.submitAndWait(codec.encodeCommand(new CounterCommand.Add("visits", 1)));
            System.out.println("after add: " + codec.decodeResult(added));
            byte[] read = client.queryAndWait(codec.encodeCommand(new CounterCommand.Get("visits"))).value();
            System.out.println("read: " + codec.decodeResult(read));
        }
    }
}
