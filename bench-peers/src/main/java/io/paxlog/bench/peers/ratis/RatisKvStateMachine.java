package io.paxlog.bench.peers.ratis;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A key-value store in memory, the counterpart of paxlog's kv and RheaKV's memory store: a put is a log
 * entry {@code [key length: int][key][value]}, applied into a map; a query is the key and answers the
 * value (empty when absent). Ratis's own examples do not fit: the arithmetic one is not a store, and the
 * filestore creates and writes a file per request outside the log, which measures its files rather than
 * Ratis.
 *
 * <p>Threads: Ratis applies transactions on its one state-machine updater thread and runs queries on
 * others; the map is concurrent for that.
 */
final class RatisKvStateMachine extends BaseStateMachine {

    static final Message OK = Message.valueOf("ok");

    private final ConcurrentMap<ByteString, ByteString> store = new ConcurrentHashMap<>();

    static ByteString put(byte[] key, byte[] value) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + key.length + value.length);
        buffer.putInt(key.length).put(key).put(value).flip();
        return ByteString.copyFrom(buffer);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteString data = entry.getStateMachineLogEntry().getLogData();
        int keyLength = data.substring(0, 4).asReadOnlyByteBuffer().getInt();
        if (keyLength < 0 || keyLength > data.size() - 4) {
            throw new IllegalStateException("a log entry that is not a put: key length " + keyLength + " of " + data.size());
        }
        store.put(data.substring(4, 4 + keyLength), data.substring(4 + keyLength));
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(OK);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString value = store.get(request.getContent());
        return CompletableFuture.completedFuture(Message.valueOf(value == null ? ByteString.EMPTY : value));
    }
}
