package io.paxlog.bench.peers.ratis;

import java.io.File;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;

/**
 * The Ratis configuration of the benchmark, in one place, and why each setting differs from Ratis's
 * defaults (see the README's benchmark section for what was measured):
 * <ul>
 *   <li>durability as Ratis ships it: the segmented log is flushed and fsynced before an entry counts
 *       (unsafe-flush and async-flush off), at the latest every {@code force.sync.num} (128) entries or
 *       when the write queue runs empty, which is Ratis's group commit;
 *   <li>reads LINEARIZABLE: the default read option lets a leader answer from its state machine without
 *       confirming it still leads; LINEARIZABLE is Ratis's ReadIndex, what paxlog's and RheaKV's reads do;
 *   <li>the client's async window ({@code raft.client.async.outstanding-requests.max}) at least the
 *       benchmark's in-flight count: its default, 100, would hold a 128- or 512-deep loop back in the
 *       client rather than measure the servers;
 *   <li>the transport: gRPC, Ratis's default and the one its documentation recommends; Netty when the run
 *       JVM has {@code -Dpaxlog.bench.ratis.rpc=NETTY};
 *   <li>everything else (appender batching, buffers, timeouts, 150-300 ms election timeouts) Ratis's own,
 *       unless the run JVM has {@code -Dpaxlog.bench.ratis.raft.<key>=<value>}: each such property sets the
 *       Ratis key {@code raft.<key>} on the servers (and on the client, for {@code raft.client.*}), so
 *       Ratis's own settings can be tried without a rebuild (e.g.
 *       {@code -Dpaxlog.bench.ratis.raft.server.log.force.sync.num=1}).
 * </ul>
 */
final class RatisConfig {

    static final RaftGroupId GROUP = RaftGroupId.valueOf(UUID.fromString("5061786c-6f67-4265-6e63-680000000001"));
    static final String RPC_PROPERTY = "paxlog.bench.ratis.rpc";

    private RatisConfig() {}

    /** The prefix of run-JVM properties that set Ratis keys: {@code paxlog.bench.ratis.raft.x=y} sets {@code raft.x=y}. */
    static final String OVERRIDE_PREFIX = "paxlog.bench.ratis.";

    /** The Ratis keys set through {@link #OVERRIDE_PREFIX} properties of this JVM, as {@code key=value}. */
    static List<String> overrides() {
        return System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith(OVERRIDE_PREFIX + "raft."))
                .sorted().map(n -> n.substring(OVERRIDE_PREFIX.length()) + "=" + System.getProperty(n)).toList();
    }

    /** Sets each {@code key=value} of {@code overrides} whose key starts with {@code prefix}. */
    static void apply(RaftProperties properties, List<String> overrides, String prefix) {
        for (String override : overrides) {
            int equals = override.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("not key=value: " + override);
            }
            String key = override.substring(0, equals);
            if (key.startsWith(prefix)) {
                properties.set(key, override.substring(equals + 1));
            }
        }
    }

    static SupportedRpcType rpc(String name) {
        return SupportedRpcType.valueOfIgnoreCase(name);
    }

    static RaftGroup group(List<String> addresses) {
        RaftPeer[] peers = new RaftPeer[addresses.size()];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = RaftPeer.newBuilder().setId("s" + (i + 1)).setAddress(addresses.get(i)).build();
        }
        return RaftGroup.valueOf(GROUP, peers);
    }

    static RaftProperties server(SupportedRpcType rpc, File storage, int port, List<String> overrides) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, rpc);
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage));
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, false);
        RaftServerConfigKeys.Log.setAsyncFlushEnabled(properties, false);
        if (rpc == SupportedRpcType.NETTY) {
            NettyConfigKeys.Server.setPort(properties, port);
        } else {
            GrpcConfigKeys.Server.setPort(properties, port);
        }
        apply(properties, overrides, "raft.");
        return properties;
    }

    static RaftProperties client(SupportedRpcType rpc, int inFlight) {
        RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, rpc);
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties,
                Math.max(RaftClientConfigKeys.Async.OUTSTANDING_REQUESTS_MAX_DEFAULT, inFlight));
        apply(properties, overrides(), "raft.client.");
        return properties;
    }
}
