package io.paxlog.bench.peers.ratis;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * One Ratis server of the benchmark's group, configured by {@link RatisConfig}:
 * {@code java -cp bench-peers.jar io.paxlog.bench.peers.ratis.RatisServerMain <id from 1> <host:port,...> <data dir> <GRPC|NETTY> [raft.key=value]...}.
 * Runs until killed.
 */
public final class RatisServerMain {

    private RatisServerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: RatisServerMain <id> <host:port,...> <data dir> <GRPC|NETTY> [raft.key=value]...");
            System.exit(2);
        }
        int id = Integer.parseInt(args[0]);
        List<String> addresses = Arrays.asList(args[1].split(","));
        SupportedRpcType rpc = RatisConfig.rpc(args[3]);
        int port = Integer.parseInt(addresses.get(id - 1).substring(addresses.get(id - 1).lastIndexOf(':') + 1));
        RaftGroup group = RatisConfig.group(addresses);
        RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf("s" + id)).setGroup(group)
                .setStateMachine(new RatisKvStateMachine())
                .setProperties(RatisConfig.server(rpc, new File(args[2]), port, List.of(args).subList(4, args.length)))
                .setOption(RaftStorage.StartupOption.FORMAT).build();
        server.start();
        System.out.println("ratis server s" + id + " started on " + addresses.get(id - 1) + " (" + rpc + ")"
                + (args.length > 4 ? " with " + String.join(" ", List.of(args).subList(4, args.length)) : ""));
        new CountDownLatch(1).await(); // serves until the harness kills the process
    }
}
