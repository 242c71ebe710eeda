package io.paxlog.bench.paxlog;

import io.paxlog.bench.Target;
import io.paxlog.client.PaxlogClient;
import io.paxlog.client.PaxlogClientException;
import io.paxlog.kv.KvCommands;
import io.paxlog.kv.KvResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * paxlog's Java client: puts are {@code submit}ted commands (exactly once, through the log), gets are
 * {@code query}s (read-index on the leader, never the log). Operations go round-robin over the clients.
 */
final class PaxlogTarget implements Target {

    private final List<PaxlogClient> clients;
    private final AtomicInteger next = new AtomicInteger();

    PaxlogTarget(List<PaxlogClient> clients) {
        this.clients = List.copyOf(clients);
    }

    private PaxlogClient client() {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    @Override
    public CompletableFuture<Boolean> put(byte[] key, byte[] value) {
        return client().submit(KvCommands.put(key, value))
                .thenApply(result -> KvCommands.decodeResult(result.value()) instanceof KvResult.Written);
    }

    @Override
    public CompletableFuture<Boolean> get(byte[] key) {
        return client().query(KvCommands.get(key))
                .thenApply(result -> KvCommands.decodeResult(result.value()) instanceof KvResult.Found);
    }

    @Override
    public Failure classify(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof PaxlogClientException e && !e.mayHaveBeenApplied()) {
            return Failure.NOT_APPLIED;
        }
        return Failure.UNKNOWN;
    }

    @Override
    public void close() {
        clients.forEach(PaxlogClient::close);
    }
}
